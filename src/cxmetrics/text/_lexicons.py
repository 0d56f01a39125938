"""Aspect lexicons per domain: the words that name each part of the experience, in context.

Each aspect has literal ``terms`` (substrings of the normalised clause), regular-expression
``patterns`` for mentions that need context, and ``exclude`` patterns: a term or pattern match
lying inside a match of an exclude pattern does not count. So "下单" alone names no aspect (it
is the act of ordering, "18点10分下单"), while "下单页面打不开" and "无法下单" name the app; in a
hotel, "味道" in a room is a smell (environment) unless food is named in the clause; "香" counts
for taste only in food phrases (香辣, 很香), never in 鸟语花香 or 香水.

The vocabulary beyond the first hand-written lists was mined from real reviews (the development
parts of the food-delivery, online-shopping and NLPCC-2014 corpora; only the terms are kept
here) and from each aspect's general vocabulary; how, and how well it reads clauses written
afterwards, is in the feedback guide (``scripts/aspect_evaluation.py`` prints its tables).
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["DOMAINS", "Aspect", "lexicon"]


class Aspect(NamedTuple):
    """An aspect: its Chinese name, literal terms, context patterns and exclusions (regexes)."""

    name_zh: str
    terms: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def _t(words: str) -> tuple[str, ...]:
    return tuple(words.split())


_FOOD = (
    r"(?:早餐|早饭|晚餐|午餐|晚饭|午饭|夜宵|早点|小吃|餐厅|自助餐|菜|饭|吃|面包|包子|咖啡|牛奶|粥|面条|汤|饮料|水果)"
)
_ROOM = r"(?:房间|屋里|屋子|卫生间|厕所|浴室|被子|床单|楼道|走廊|大厅|大堂|电梯|车里|衣服|鞋)"
# "soon broke": not speed
_SOON = r"很快就(?:坏|没|不|掉|破|裂|变|黑|凉|断|出现|用完|磨|脱|开线|起|褪|松|漏|鼓|生锈)"
_ORDER_APP = r"(?:下单|付款|支付|结算|登录|登陆)(?:页面|界面|失败|不了|不成功|没反应|一直转|卡)"
_APP_VERB = r"(?:无法|不能|没法|没办法)(?:下单|付款|支付|登录|登陆)|下不了单|付不了款"

_SERVICE = Aspect(
    "服务", _t("服务 客服 售后 商家 卖家 店家 老板 服务员 工作人员 回复 退款 处理 管家 前台 经理")
)
_ATTITUDE = Aspect(
    "态度",
    _t("态度 热情 耐心 礼貌 冷漠 冷淡 不耐烦 爱理不理 脸色 热心 不理人 凶"),
    exclude=(r"热情[的地]?(?:服务)",),
)
_PRICE = Aspect(
    "价格",
    _t(
        "价格 价钱 价位 性价比 划算 实惠 便宜 太贵 很贵 好贵 有点贵 偏贵 贵了 优惠 收费 "
        "满减 降价 费用 物美价廉 不值 很值 值了 房价 房费 包邮"
    ),
    patterns=(r"(?:配送|安装|手续|服务|年)费", r"这个价", r"价廉", r"买贵", r"高价"),
)
_DELIVERY = Aspect(
    "物流配送",
    _t(
        "物流 快递 配送 送餐 送货 发货 到货 送达 送到 送错 漏送 少送 少发 发错 骑手 "
        "外卖小哥 外卖员 小哥 派送 驿站 顺丰 圆通 中通 申通 韵达 送得 送来"
    ),
    patterns=(r"送了(?:[一二两三四五六七八九十半\d]+个?(?:多)?(?:小时|分钟))",),
)
_SPEED = Aspect(
    "速度",
    _t(
        "速度 太慢 很慢 好慢 超慢 慢死 较慢 有点慢 发货慢 出餐慢 很快 挺快 "
        "好快 超快 真快 快速 及时 效率 等了 等太久 太久 迅速 准时 超时 "
        "神速 麻利 拖拉 才到 就到了 隔天 第二天就 半个月 叫号"
    ),
    patterns=(
        r"[一二两三四五六七八九十半几\d]+(?:个)?(?:多)?(?:小时|分钟)(?:就|才)",
        r"(?:送|等|做|排)了[一二两三四五六七八九十半几\d]+个?多?(?:小时|分钟)",
        r"等了[一二两三四五六七八九十半几\d]",
        r"(?:送|办|修|到|出餐|处理|回复|发货|退款|办理|入住|退|到账|结账|结帐|上菜|审核|审批|放款|充值|到货)"
        r"[^，]{0,3}(?:快|慢)",
        r"提前[^，]{0,3}(?:到|送|完成|办好|发货|发出)",
        r"(?:快|慢)[^，]{0,1}(?:送|到)",
    ),
    exclude=(
        _SOON,
        r"快递",
        r"(?:很快|快速)(?:就)?(?:坏|没电|发烫)",
        r"(?:网速|网络|wifi|无线)[^，]{0,2}(?:快|慢)",
    ),
)
_QUALITY = Aspect(
    "质量",
    _t(
        "质量 做工 品质 材质 面料 正品 假货 坏了 瑕疵 次品 耐用 线头 掉色 粗糙 精细 鼓包 "
        "坏点 印刷 纸张 刺鼻 新鲜 烂了 很甜 内容 手感 很轻 很薄 好闻"
    ),
)
_PACKAGING = Aspect(
    "包装", _t("包装 餐盒 盒子 破损 漏了 洒了 撒了 密封 袋子 压扁 餐具 筷子 严实"), exclude=(r"餐具不干净",)
)
_TASTE = Aspect(
    "口味",
    _t(
        "味道 口味 口感 好吃 难吃 太咸 偏咸 有点咸 太淡 有点淡 油腻 不新鲜 "
        "入味 正宗 夹生 坨了 香辣 很香 好香 真香 挺香 香喷喷 鲜美 很鲜 很嫩 "
        "辣度 太甜 太厚 可口 油太大 爱吃 凉的 凉了"
    ),
    exclude=(
        r"鸟语花香|花香|香水|香皂|香味很好闻|好闻",
        r"刺鼻的味道|消毒水的味道|烟味|霉味|怪味|异味",
        _ROOM + r"[^，]{0,6}味道",
        r"有股[^，]{0,6}味道?",
    ),
)
_PORTION = Aspect(
    "分量", _t("分量 份量 量少 量很足 量大 量足 量太少 不够吃 都够 只有几 给得很多 给的很多 量也足")
)
_CLEAN = Aspect(
    "卫生",
    _t("卫生 干净 很脏 太脏 头发 虫子 蟑螂 拉肚子 钢丝球 污渍 发黄 打扫 异物 苍蝇"),
)
_ENV = Aspect(
    "环境",
    _t(
        "环境 装修 隔音 噪音 很吵 太吵 好吵 吵 安静 氛围 景色 风景 鸟语花香 "
        "花园 园林 空气 气派 大堂 大厅 走廊 视野 海景 霉味 烟味 异味 怪味 "
        "味道 香味 花香 消毒水 特色 拥挤 座位 饮水机"
    ),
    exclude=(_FOOD + r"[^，]{0,6}味道|味道[^，]{0,3}" + _FOOD,),
)
_APP = Aspect(
    "应用",
    _t("app 闪退 卡顿 界面 页面 软件 小程序 客户端 系统 定位 手机银行 网银 验证码 登录不上 登不上"),
    patterns=(_ORDER_APP, _APP_VERB, r"(?:转账|支付)(?:一直)?失败", r"支付不了"),
)

GENERAL: dict[str, Aspect] = {
    "service": _SERVICE,
    "attitude": _ATTITUDE,
    "price": _PRICE,
    "delivery": _DELIVERY,
    "speed": _SPEED,
    "quality": _QUALITY,
    "packaging": _PACKAGING,
    "taste": _TASTE,
    "portion": _PORTION,
    # 味道 is taste here unless a room or a smell is named ("房间有股味道")
    "environment": Aspect(
        "环境",
        (*(t for t in _ENV.terms if t not in ("味道", "香味")), *_t("卫生 干净 房间 设施")),
        (_ROOM + r"[^，]{0,6}味", r"有股[^，]{0,6}味"),
    ),
    "app": _APP,
}

FOOD_DELIVERY: dict[str, Aspect] = {
    "taste": _TASTE,
    "portion": _PORTION,
    "packaging": _PACKAGING,
    "delivery": _DELIVERY,
    "speed": _SPEED,
    "price": _PRICE,
    "service": _SERVICE,
    "attitude": _ATTITUDE,
    "cleanliness": Aspect(_CLEAN.name_zh, _CLEAN.terms + _t("厨房"), exclude=(r"厨房(?!.{0,3}脏)",)),
    "app": _APP,
}

ECOMMERCE: dict[str, Aspect] = {
    "quality": Aspect(_QUALITY.name_zh, _QUALITY.terms + _t("味道 坏点 很舒服 精彩"), exclude=(r"穿着",)),
    "appearance": Aspect(
        "外观",
        _t("颜色 颜值 款式 外观 样子 好看 难看 很丑 色差 图片 描述 实物 漂亮"),
        exclude=(r"颜色很正品",),
    ),
    "size": Aspect("尺码", _t("尺码 码数 尺寸 大小 偏小 偏大 太长 太短 紧 松 码")),
    "performance": Aspect(
        "性能",
        _t("流畅 电池 续航 运行 屏幕 清晰 发烫 死机 卡顿 充电 音质 拍照 反应 灵敏 信号 开机 速度很快"),
        exclude=(r"屏幕有坏点", r"电池鼓包"),
    ),
    "delivery": _DELIVERY,
    "speed": Aspect(
        _SPEED.name_zh, _SPEED.terms, _SPEED.patterns, (*_SPEED.exclude, r"运行速度很快|开机很快|充电很快")
    ),
    "packaging": _PACKAGING,
    "price": _PRICE,
    "service": Aspect(_SERVICE.name_zh, _SERVICE.terms + _t("退货 换货 赠品 补发 安装 师傅")),
    "attitude": _ATTITUDE,
    "app": _APP,
}

HOTEL: dict[str, Aspect] = {
    "room": Aspect(
        "房间", _t("房间 床 枕头 被子 阳台 大床房 房型 屋里 海景房 标间 床单"), exclude=(r"升级了房型",)
    ),
    "cleanliness": Aspect(
        "卫生", _t("卫生 干净 很脏 太脏 打扫 蟑螂 污渍 发黄 毛巾 地毯 脏"), exclude=(r"卫生间",)
    ),
    "environment": Aspect(
        "环境", _ENV.terms + _t("很有特色 酒店很新 吵 走廊很暗"), _ENV.patterns, (*_ENV.exclude, r"大床房")
    ),
    "location": Aspect(
        "位置",
        _t("位置 地段 交通 地铁 公交 打车 离机场 机场 市中心 周边 附近 偏僻 不好找 步行 景区 火车站"),
    ),
    "facilities": Aspect(
        "设施",
        _t(
            "设施 空调 热水 电梯 网络 wifi 停车 游泳池 电视 淋浴 水压 卫生间 浴室 浴缸 "
            "洗漱用品 吹风机 马桶 健身房"
        ),
    ),
    "breakfast": Aspect(
        "餐饮", _t("早餐 早饭 自助餐 餐厅 咖啡"), patterns=(_FOOD + r"[^，]{0,6}(?:味道|好吃|难吃|很香)",)
    ),
    "service": Aspect(
        "服务",
        _t("服务 前台 服务员 经理 管家 门童 行李员 叫醒 刁难 投诉 道歉 升级了房型 入住 办事"),
        exclude=(r"^(?:下午|晚上|上午|中午)?(?![^，]*(?:办|提前))[^，]{0,6}入住$", r"入住的是", r"来住"),
    ),
    "attitude": _ATTITUDE,
    "price": Aspect(_PRICE.name_zh, _PRICE.terms + _t("押金 收费 加床"), _PRICE.patterns),
    "speed": _SPEED,
}

SERVICE: dict[str, Aspect] = {
    "service": Aspect(
        "服务",
        _t(
            "服务 客服 柜员 营业员 工作人员 经理 师傅 维修 投诉 解答 推销 保安 柜台人员 "
            "业务不熟 答非所问 不理人 人工"
        ),
    ),
    "attitude": _ATTITUDE,
    "speed": Aspect(
        _SPEED.name_zh,
        _SPEED.terms + _t("排队 窗口 到账 十分钟就 审批太慢 叫号很慢"),
        _SPEED.patterns,
        (*_SPEED.exclude, r"流量跑得飞快"),
    ),
    "price": Aspect(
        _PRICE.name_zh,
        _PRICE.terms + _t("手续费 资费 话费 年费 利息 套餐 扣费 收费 流量套餐 流量跑得"),
        _PRICE.patterns,
        (r"(?:换|办)(?:了|的)?个?新?套餐",),
    ),
    "network": Aspect(
        "网络",
        _t("信号 网速 断网 宽带 掉线 通话 网络 WiFi wifi 连不上"),
        exclude=(r"(?:办|装)(?:了|的)?个?宽带",),
    ),
    "process": Aspect(
        "手续",
        _t("手续 流程 材料 资料 步骤 本人到场 销户 审批 跑了三趟 没办成 冻结 繁琐 复杂"),
        exclude=(r"手续费",),
    ),
    "app": Aspect(_APP.name_zh, _APP.terms + _t("转账 网银 登录 操作"), _APP.patterns, (r"在柜台转账",)),
    "environment": Aspect("环境", _t("环境 营业厅很 大厅 座位 饮水机 拥挤 空调 整洁 宽敞")),
}


def _more(
    aspect: Aspect, terms: str = "", patterns: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> Aspect:
    return Aspect(
        aspect.name_zh,
        (*aspect.terms, *_t(terms)),
        (*aspect.patterns, *patterns),
        (*aspect.exclude, *exclude),
    )


# Wider vocabulary: textures, quantities, parcels, defects, fit, surroundings and manners that
# reviews use without naming the aspect.
_NUMBER = r"[一二两三四五六七八九十半几\d]+"
_WIDER = {
    "taste": (
        "太油 很油 好油 油了 脆 酥 软糯 嚼劲 火候 调料 太辣 不辣 微辣 太酸 腥 没味道 咸淡 清淡 重口 香甜",
        (),
        (r"辛苦",),
    ),
    "portion": ("饭量 菜量 肉量 量多 个头", (_NUMBER + r"(?:个|块|片|根|只)(?:饺子|包子|肉|虾|鸡翅)?$",), ()),
    "packaging": ("打包 外箱 纸箱 箱子 泡沫 压坏 漏出 漏汤 洒出 变形", (), ()),
    "cleanliness": ("沙子 石子 异物 毛发 塑料片", (), ()),
    "speed": (
        "超过预计 预计时间 慢得 快得",
        (_NUMBER + r"(?:个)?(?:多)?(?:天|周)(?:了)?(?:才|还没|就)",),
        (r"[^，]{0,4}就(?:坏|破|裂|掉|没|不|断|开胶|变|起球|褪)",),  # "用两天就坏了": wear
    ),
    "quality": ("开胶 裂纹 裂了 起球 褪色 掉漆 生锈 皮质 质地 结实 牢固 易碎 破损", (), ()),
    "size": ("长度 宽度 腰围 肩宽 合身 偏瘦 偏肥", (), ()),
    "performance": ("降噪 散热 性能 配置 内存 卡死", (), ()),
    "location": (
        "周围 偏远 很偏",
        (r"去[^，]{1,6}(?:很|挺|非常|比较)?方便", r"离[^，]{1,8}(?:站|场|景区|市区|公里|分钟)"),
        (),
    ),
    "environment": ("庭院 雅致 绿化 湖景 山景", (), ()),
    "room": ("套房 标准间 床垫", (), ()),
    "attitude": ("爱答不理 说话很冲 傲慢 敷衍", (), ()),
    "process": ("本人", (), ()),
}


def _widen(lexicon: dict[str, Aspect]) -> dict[str, Aspect]:
    out = dict(lexicon)
    for name, (terms, patterns, exclude) in _WIDER.items():
        if name in out:
            out[name] = _more(out[name], terms, patterns, exclude)
    return out


GENERAL, FOOD_DELIVERY, ECOMMERCE, HOTEL, SERVICE = (
    _widen(d) for d in (GENERAL, FOOD_DELIVERY, ECOMMERCE, HOTEL, SERVICE)
)
_PRICE_EXTRA = "利率 月租"
SERVICE["price"] = _more(SERVICE["price"], _PRICE_EXTRA)

# Vocabulary mined from real reviews: the nouns, verbs and adjectives (jieba POS) frequent in the
# clauses of the development corpora (food-delivery app reviews; online-shopping reviews of ten
# product categories, hotels apart; NLPCC-2014 product reviews) that no aspect matched, each
# assigned by reading to the aspect it names, plus each aspect's general vocabulary (synonyms,
# colloquial forms, measure words, parcel and transport words, queue and hold words). Every term
# was checked on random corpus clauses it hits; ambiguous ones carry context.
_DISH = (
    r"(?:菜|饭|米饭|肉|汤|(?<![里外上下前后方表见对全正反场地页界侧椒桌])面|粥|饼|卷饼|煎饼|饺子|包子|馄饨|"
    r"抄手|鸡|鸭|鱼|虾|排骨|牛肉|羊肉|猪肉|鸡肉|肥肉|瘦肉|肉丝|鸡腿|鸡翅|丸子|豆腐|土豆|土豆丝|茄子|"
    r"青菜|蔬菜|配菜|小菜|凉菜|米线|面条|拉面|炒饭|盖饭|拌饭|披萨|汉堡|薯条|饮料|奶茶|豆浆|油条|馅|"
    r"肘子|饭菜|菜品)(?!店|馆|盒|钱|量|卡|单|点|局|鸟|市场)"
)
_MEASURE = r"(?:个|块|片|根|只|串|粒|颗|口|勺|条|张|份)"
_BIG = r"(?:很|太|有点|有些|挺|特别|非常|比较|超|好|真|略|偏|稍)?"
_MINED_ALL: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "attitude": (
        "友好 客气 亲切 和蔼 微笑服务 面带微笑 语气 脾气 态度恶劣 凶巴巴 蛮横 骂人 白眼 没礼貌 "
        "不礼貌 不客气 甩脸",
        (),
        (r"不客气地说|不客气的说",),
    ),
    "speed": (
        "迟到 延误 延迟 拖延 耽误 催单 催了 慢吞吞 磨蹭 老半天 好半天 半天才 迟迟 当天就 当天到 "
        "次日达",
        (
            r"等(?:了|得)?(?:好久|很久|半天|太久|那么久|这么久)",
            r"(?:一直|还)(?:没到|没送到|没来)(?!得及|的及)",
        ),
        (),
    ),
    "price": (
        "块钱 元钱 运费 打折 折扣 特价 原价 差价 促销 优惠券 红包 返现 涨价 小贵 不贵 挺贵 略贵 "
        "坑钱 乱收费 多收 收了我 价位 价",
        (r"(?:打包|餐盒|包装|服务|运|邮)费",),
        (r"评价|好评|差评|价值|代价|物价局|身价|价格战略|打折扣|多收入",),
    ),
}
_MINED: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "food_delivery": {
        "taste": (
            "好喝 难喝 美味 鲜嫩 酥脆 香脆 筋道 劲道 干巴巴 太干 发干 太硬 很硬 有点硬 偏硬 太软 "
            "软烂 太腻 有点腻 好腻 油腻腻 腥味 偏甜 偏辣 偏淡 咸了 淡了 不够辣 酸了 发酸 糊了 焦了 "
            "没熟 不熟 生的 馊 变质 发霉 味精 放盐 盐放 食欲 下饭 难以下咽 不好吃 没味 太辣 味儿 很辣 超辣 "
            "特别辣 好辣 巨辣 挺辣 很咸 超咸 好咸 特别咸 巨咸 齁",
            (
                _DISH + r"[^，送到骑]{0,4}?" + _BIG
                + r"(?:硬|软|干(?!净)|稀|柴|嫩|老(?!板)|烂|油|腻|咸|淡|辣|酸|甜|苦|腥|香|鲜|脆|凉|冷|"
                r"热(?!情|心)|生(?!意)|糊|焦|稠)",
                _DISH
                + r"[^，送到骑]{0,3}(?:不错|很好|一般|很棒|太差|好差|不行|还行|超赞|很赞|绝了|"
                r"yyds|绝绝子|一绝|封神)",
            ),
            (
                r"(?:凉|冷|热)[^，]{0,2}(?:天|天气)",
                r"一个劲道|太干净|路不熟|业务不熟|不熟悉|卫生的|发生的|生生的|干嘛|干什么",
            ),
        ),
        "portion": (
            "太少 好少 少得可怜 吃不饱 吃饱 够吃 管饱 小份 大份 半份 加量 给的少 给得少 给的多 "
            "给得多 量足 量少",
            (
                r"(?<![质数流音重销容电能产含])量"
                + _BIG
                + r"(?:少|小|大|足|多|够|不够|一般|适中|刚好|还行|可以)",
                _DISH + r"[^，]{0,3}" + _BIG + r"(?:少|多|足|不够|够)(?!点|钱)",
                r"(?:只有|就|才|没|总共|一共)(?:几|" + _NUMBER + r")" + _MEASURE + r"(?!多?小时|多?钟|字)",
            ),
            (r"多少|少放|少点|少辣|少盐|多放|多加|多给我|差不多|多次|多久|多小时|多分钟|多年|好多次",),
        ),
        "packaging": (
            "饭盒 勺子 吸管 手套 餐巾纸 纸巾 塑料袋 包装袋 保温袋 盖子 封口 洒 汤撒 撒出 撒了一",
            (),
            (r"洒脱|潇洒",),
        ),
        "delivery": (
            "骑士 送餐员 配送员 送外卖 快递员 送饭 补送 没送 送晚 放门口 送上楼 下楼拿",
            (),
            (),
        ),
        "service": (
            "发票 投诉 没人接 电话打不通 道歉 店员 解释 退钱 取消订单 订单取消 商户",
            (
                r"备注[^，]{0,10}(?:还|却|也|都|没|照样|根本|完全|不按)|(?:不看|无视|忽略|没看|不管|按照?|按着)备注",
            ),
            (),
        ),
        "cleanliness": ("不卫生 脏 没洗 虫 吃坏 闹肚子 肚子疼 拉稀 头发丝 铁丝", (), (r"虫草|吐槽|脏话",)),
    },
    "ecommerce": {
        "quality": (
            "口感 好吃 难吃 很甜 不甜 脆甜 水分 个头 烂的 烂果 腐烂 坏果 变质 过期 保质期 日期 新鲜 "
            "假的 是假 山寨 盗版 正版 翻新 二手 料子 布料 质感 弹性 透气 保暖 起毛 缩水 掉毛 "
            "味道 香味 气味 做工 耐磨 质量 质地 厚实 轻薄 太薄 很厚 太稀 很稀 特别稀 有点稀 变形 断了 "
            "裂开 磨损 划痕 刮花 凹陷 毛病 故障 不工作 用不了 坏的",
            (),
            (r"口感舒适|变形金刚",),
        ),
        "performance": (
            "效果 功能 声音 音效 音量 摄像头 像素 分辨率 画面 画质 待机 耗电 电量 没电 驱动 硬盘 显卡 "
            "接口 蓝牙 指纹 关机 重启 发热 玩游戏 上网 网速 通话 无线 处理器 cpu 噪音 静音 "
            "吸力 制热 制冷 加热 去屑 止痒 头皮屑 头屑 柔顺 顺滑 毛躁 干涩 控油 好用 难用 不好用 "
            "实用 灵敏",
            (r"屏(?!蔽)",),
            (r"效果图|游戏币|使用说明|使用寿命",),
        ),
        "appearance": (
            "色调 外形 造型 花纹 图案 图上 和图 跟图 与图 "
            "宣传图 主图 卖家秀 买家秀 小巧 精致 大气 时尚 洋气 土气 好丑 丑",
            (),
            (r"大气层",),
        ),
        "size": (
            "版型 修身 宽松 鞋码 一码 大一号 小一号 脚长 身高 体重",
            (
                r"(?:穿|试|戴)[^，]{0,4}" + _BIG + r"(?:大|小|肥|瘦|紧|松|长|短|合适|正好)",
                r"[大小]了?一[号码]",
            ),
            (),
        ),
        "packaging": ("外盒 快递盒 气泡 缓冲 防震 塑封 封口 瓶子 漏液 包得 裹得", (), ()),
        "delivery": (
            "快件 包裹 邮政 ems 百世 天天快递 宅急送 德邦 极兔 京东快递 丰巢 快递柜 自提 代收 "
            "丢件 送货员 配送员 物流信息 派件 揽件 揽收",
            (),
            (),
        ),
        "service": (
            "保修 维修 三包 换新 退换 退了 退回 发票 投诉 掌柜 客户服务 处理问题 解决问题 "
            "不处理 推脱 推诿 赔偿 理赔 补偿",
            (),
            (),
        ),
        "price": ("活动价 优惠价 券后 省钱 值这个价 值得买 物超所值 超值 便宜", (), ()),
    },
    "hotel": {
        "room": (
            "客房 房子 窗户 窗帘 家具 拖鞋 冰箱 沙发 书桌 桌子 衣柜 床品 床垫 面积 空间 单人间 双人间 "
            "标准房 商务房 行政房 豪华房 高级房 套间 房间 床 睡得",
            (),
            (r"房间号|小费|太小气|客房服务|客房部",),
        ),
        "facilities": (
            "硬件 设备 上网 宽带 网速 网线 电脑 温泉 泳池 游泳 暖气 吹风 插座 灯 门锁 房卡 洗衣 "
            "热水器 烧水壶 水壶 保险箱 停车场 车位 洗手间 花洒 下水",
            (),
            (r"灯红酒绿|霓虹灯|红绿灯",),
        ),
        "location": (
            "出租车 打的 的士 班车 对面 马路 市区 中心 距离 走路 地点 景点 公园 广场 超市 商场 购物 "
            "商业街 步行街 海边 沙滩 路口 路边 巷子 胡同 车程 路程 出行 闹市 繁华 地理 高铁 机场 码头 "
            "车站 地铁站 公交站",
            (
                r"离[^，]{1,10}(?:近|远|方便|不远)",
                r"(?:到|去)[^，]{1,6}(?:只要|只需|才|要)" + _NUMBER + r"(?:分钟|公里|站)",
            ),
            (r"中心花园|健身中心|商务中心|会议中心|中心城|购物卡",),
        ),
        "environment": (
            "声音 噪声 施工 窗外 海景 外观 建筑 风格 陈旧 老旧 破旧 很旧 有点旧 比较旧 太旧",
            (),
            (r"(?:设施|设备|家具|床|电视|空调|电器|卫生间|浴室)[^，]{0,4}(?:陈旧|老旧|破旧|旧)",),
        ),
        "cleanliness": ("蚊子 虫 灰尘 积灰 长毛 头发 没换 没打扫 不卫生 清洁", (), (r"虫草|清洁工",)),
        "breakfast": (
            "晚餐 午餐 用餐 餐饮 中餐 西餐 饭菜 菜品 送餐",
            (r"(?<![蔬青白])菜[^，]{0,4}(?:好吃|难吃|贵|便宜|一般|不错|很好|太差|味道|咸|淡|油)",),
            (r"菜单",),
        ),
        "service": (
            "总台 结帐 结账 查房 登记 接待 接送 叫车 礼宾 保洁 阿姨 清洁工 服务台 员工 服务生 "
            "小姐 人员 保安 办理 手续",
            (r"退房[^，]{0,4}(?:快|慢|麻烦|方便|顺利|效率|等|很久|半天)",),
            (
                r"小姐姐?们?的?声音",
                r"^(?:下午|晚上|上午|中午|凌晨)?[^，]{0,6}办(?:理)?(?:了|的)?入住(?:手续)?$",
            ),
        ),
        "price": (
            "钱 贵 价 多收 扣款 扣费 预授权",
            (),
            (r"评价|价值|代价|贵宾|宝贵|尊贵|可贵|贵州|贵阳|贵(?:酒店|宾馆|饭店|店|方|公司)|钱包",),
        ),
    },
    "service": {
        "service": (
            "客服电话 热线 人工服务 转人工 话务员 接线员 专员 理财经理 业务员 大堂经理 回访 回电 "
            "打不通 占线 挂断 挂了电话 推脱 推诿 踢皮球 没解决 不解决 解决不了 解决问题 帮我解决 周到 专业",
            (),
            (),
        ),
        "speed": (
            "排号 等候 等位 等待音 半天才",
            (r"(?<!安)排(?:了|队)", r"等(?:了|得)?(?:好久|很久|半天|太久|一上午|一下午|一天)"),
            (),
        ),
        "price": (
            "扣钱 账单 余额 乱扣 多扣 扣了 违约金 罚息 滞纳金 贵 便宜",
            (r"(?:流量|短信|漫游|宽带|月租|通话|管理|账户|挂失|补卡|工本|开户|跨行|转账|月)费",),
            (r"打了折扣",),
        ),
        "network": (
            "覆盖 杂音 掉话 上网 路由器 断线 没网 网不好 网很差",
            (r"(?<![\d.])[45]g(?!b|内存|运存)",),
            (),
        ),
        "process": (
            "证件 身份证 户口本 复印件 签字 填表 表格 填单 预约 审核 核实 证明 盖章 规定 来回跑 "
            "跑了好几趟 跑了几趟 跑了两趟 白跑",
            (),
            (r"事实证明|证明了",),
        ),
        "app": ("公众号 短信验证 人脸识别 网上营业厅 掌上营业厅", (), ()),
        "environment": ("干净 卫生 人太多 停车", (), ()),
    },
}

# Second pass, after the first reading of the unseen clauses (tests/data/aspect_clauses_unseen.csv)
# showed kinds of wording missing: manners (温柔, 阴阳怪气, 板着脸), waits counted in half-days or
# weeks, parcels left at a door, smells and stains in rooms, sleeves and shoes that do not fit,
# what devices put out (sound, light, air, charge), hold music, forms to fill. Added by kind, each
# checked on corpus hits like the first pass; the unseen set's second reading is not unseen.
_ARRIVE = r"(?<!赠)(?:走|送|到|寄|发|运)了" + _NUMBER + r"个?多?(?:星期|礼拜|周|天)"
_SPENT = r"用了(?:一上午|一下午|一整天|一天|半天|" + _NUMBER + r"个?多?小时)"  # a counter or desk wait
_LEFT_AT = r"(?:放|扔|丢|搁)(?:在|到)了?[^，]{0,6}(?:门口|楼下|保安|门卫|前台|快递柜|驿站|代收点|柜子)"
_SECOND_ALL: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "attitude": (
        "温柔 和气 和颜悦色 客客气气 好声好气 没好气 阴阳怪气 恶声恶气 笑眯眯 笑嘻嘻 爱搭不理 "
        "板着 黑着脸 拉着脸 冷着脸 臭脸 冷冰冰 不搭理",
        (),
        (r"和气(?:候|愤|泡|韵|度|势)", r"(?:饭|菜|汤|粥|餐)[^，]{0,2}冷冰冰"),
    ),
    "speed": (
        "秒退 秒回 秒发 比预计 守时 准点 当场就",
        (
            r"(?:晚|迟)了" + _NUMBER + r"个?多?(?:分钟|小时|天)",
            r"(?:第二天|次日|当天)[^，]{0,3}就(?:到|送|收到|发|上门|安装|有人|办好|解决|修好)",
            r"半天(?:没|才|不)",
            _ARRIVE,
        ),
        (
            r"网络延迟|延迟很高|延迟高|延迟低",
            r"不?到账单",
            r"才到的?(?:酒店|宾馆|房间|店里|家)",
            r"等候区|等候室",
        ),
    ),
    "price": (
        "贵得 死贵 贵死 不便宜 掉价 价保 保价",
        (r"降了" + _NUMBER,),
        (r"降了一个(?:台阶|档次|层次)",),
    ),
}
_SECOND: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "food_delivery": {
        "taste": (
            "够味 浓郁 开胃 鲜香 咸香 爽口 清爽 寡淡 汤头 汤底 地道 甜腻 腻人 温的 温乎 热乎",
            (),
            (),
        ),
        "portion": (
            "吃不完 菜码 量很实在 量实在",
            (r"(?:只给|就给|才给)了?(?:一|几|" + _NUMBER + r")" + _MEASURE,),
            (r"(?:收|花|付|要|贵|便宜|多|少)了?" + _NUMBER + r"块",),
        ),
        "packaging": ("", (), (r"打包费|包装费|餐盒费",)),
        "delivery": ("", (_LEFT_AT,), ()),
        "cleanliness": ("上吐下泻 吐了 泥沙 泥巴 油乎乎 黏糊糊 脏兮兮", (), ()),
        "app": ("订单状态", (), ()),
    },
    "ecommerce": {
        "quality": (
            "用料 扎实 嘎嘣脆 很脆 不脆 脆爽 多汁 汁多 甘甜 香甜 太酸 很酸 偏酸 有点酸 酸得 霉味 异味 "
            "怪味 臭味 塑料味",
            (),
            (r"(?:盒|箱|包装|纸箱|外箱)[^，]{0,4}变形",),
        ),
        "appearance": ("logo 配色 花色 撞色 印花 印歪", (), ()),
        "size": (
            "挤脚 夹脚 顶脚 磨脚 勒脚 勒得",
            (r"(?:袖子|袖长|裤腿|裤长|衣长|腰身|肩|领口|鞋)[^，]{0,3}(?:短|长|肥|瘦|紧|松|大|小|宽|窄|合适)",),
            (),
        ),
        "performance": (
            "风力 风量 功率 亮度 低音 高音 音色 成像 对焦 夜景 防抖",
            (r"(?:剩|掉|费|耗|省)[^，]{0,3}电(?!话|脑|视|梯|源)",),
            (r"充电宝",),
        ),
        "delivery": ("", (_LEFT_AT, r"(?:已经?|才|就|还没|没|当天|次日)发出"), ()),
        "speed": ("", (), (r"[^，]{0,4}就(?:脱|鼓|松|漏|生锈|起毛|开线)",)),
    },
    "hotel": {
        "room": ("被褥 床铺 被罩 枕套", (), ()),
        "environment": (
            "花草 绿植 草坪 偏老 显老 年代感",
            (
                r"(?:烟|臭|霉|潮|骚|腥|香水|香薰|油漆|甲醛|下水道|消毒)[^，]{0,1}味",
                r"(?:听到|听得到|听见|能听到)[^，]{0,6}声",
                r"种满了?[^，]{0,2}(?:花|树|草)",
            ),
            (r"(?:设施|设备|器械|器材|电器|家电)[^，]{0,4}(?:陈旧|老旧|破旧|旧)",),
        ),
        "cleanliness": (
            "黄斑 霉斑 发霉 黏糊糊 黏黏的 没清理 没收拾 垃圾没倒 脏兮兮 污垢 水渍 血迹",
            (),
            (),
        ),
        "location": ("导航 难找", (), ()),
        "facilities": ("无线 插头", (), ()),
        "breakfast": ("早茶 夜宵", (), ()),
        "service": ("", (), (r"^(?:第[^，]{1,2}次|再次|又|首次|初次)入住了?$",)),
        "speed": ("", (_SPENT,), (r"才到的?(?:酒店|宾馆|房间)",)),
    },
    "service": {
        "service": (
            "阿姨 大姐 小哥 小姑娘 接电话的 等待音乐 语音导航 没人管 没人理 没人处理",
            (r"没人(?:解决|回|答复)", r"解决了"),
            (),
        ),
        "speed": ("", (_SPENT,), ()),
        "network": (
            "光猫",
            (r"电话[^，]{0,3}(?:(?:老|总|经常|常|又)断|断线|断了|断掉|掉线|听不清|杂音)",),
            (r"宽带(?:续费|费|套餐|资费)",),
        ),
        "process": (
            "开户地 归属地 办理地",
            (r"填[^，]{0,4}(?:表|单(?!位))", r"(?:要|得|必须|需要)(?:去|到|本人)[^，]{0,8}办"),
            (),
        ),
        "app": ("网上办理 手机上办理", (r"(?<!无)线上",), (r"转账[^，]{0,4}(?:手续费|费)",)),
        "environment": ("人挤人 挤满 人山人海 饮用水 饮水 椅子 座椅 沙发", (), ()),
    },
}


# Third pass, after the first reading of the blind clauses
# (tests/data/aspect_clauses_blind.csv, written by an engineer who had not seen these
# lexicons) showed kinds of wording still missing: degree complements of flavours (辣得,
# 咸得), wilted greens, half-filled cups, "量也大", spills that did not happen, waits told as
# "N 分钟了还没", "N 分钟搞定", instant approvals (秒批), immediate action (马上有人回复), wear after use
# (用了一周就发黄), what a garment does on the body (上身, 显瘦), letter sizes, batteries that will
# not charge, cold-chain packing (冰袋, 泡沫箱), places told by what they are next to (就在…边上,
# 出门就是), breakfast by its dishes and board (双早, 煎蛋, 粥), hotel errands (寄存, 接机, 送来),
# hotlines, crowd noise (嘈杂), bank and telecom app names; then, by the same kinds,
# cooking doneness and seasoning amounts, chewing, servings per person, discounts in 折,
# delivery fees, book print, cosmetics' and shampoos' effects, kitchen appliances, skin
# reactions, linen changes and stains, yields, bureaucratic manners, counters to go to,
# branch halls. And false readings fixed by kind: flavour that is "够" (够劲) is not
# portion, a price "才十几块" is not a count, a device's speed (开机速度) is not delivery speed,
# an after-sales "小哥" is no courier, an app that freezes is not the product, a bill paid
# is a fact (交的话费), the surroundings' greenery (周边绿化) is scenery, a drain smell is no
# facility. Each new term was checked on random corpus clauses it hits, like the passes
# above.

_DURATION = _NUMBER + r"个?多?(?:分钟|小时)"
_WORN = (
    r"(?:用|洗|穿|戴|开)了?(?:不到|没)?(?:几|" + _NUMBER + r")个?多?"
    r"(?:天|周|星期|礼拜|个月|月|年|次|回)[^，]{0,2}就"
)
_THIRD_ALL: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "speed": (
        "一拖再拖 拖拖拉拉 等得 龟速 蜗牛 飞快 光速 火速 高效",
        (
            _DURATION + r"了?(?:还|都)(?:没|不)",
            _DURATION + r"(?:就|内|之内|不到)?(?:搞定|办好|办完|弄好|完成|解决|到账)",
            r"(?:查|办|弄|折腾|磨蹭|搞|处理|修|拖|耗)了" + _NUMBER + r"个?多?(?:分钟|小时|天|星期|周|礼拜)",
            r"(?<![\d一二两三四五六七八九十几])秒(?:同意|批|通过|到账|处理|接单|退款|回复|发货)",
            r"(?:马上|立马|立刻|立即)(?:就)?(?:有人|回复|回电|回访|处理|解决|送来|送到|到账|办好|退款|"
            r"给我?(?:办|换|退|处理|解决|回))",
            r"(?:物流|配送|派送|送货|送餐)[^，]{0,3}(?:快|慢)",
            r"(?:送餐|配送|等待|等餐|出餐|送达|派送|发货|到货|办理|排队)时间[^，]{0,4}(?:长|久|短|快|慢)",
        ),
        (_WORN, r"物流快递"),
    ),
    "price": (
        "还贵 又贵 也贵 超贵 巨贵 真贵 特别贵 这么贵 那么贵 比较贵",
        (r"打(?:了|完)?[\d一二三四五六七八九]*折(?!腾|磨|扣)", r"(?:外送|送餐|跑腿|外卖|快递)费"),
        (),
    ),
    "attitude": ("诚恳", (), ()),
    "delivery": (
        "",
        (),
        (
            r"(?:售后|客服|维修|安装|装机|理财)小哥",
            r"快递(?:袋|盒|箱|纸箱)",
            # an arrival time, a fact ("12点45分送达")
            r"^[^，]{0,8}?[\d一二两三四五六七八九十][点时](?:半|多|左右|[\d一二三四五六七八九十]+分?)?"
            r"(?:送到|送达|到)(?:的|了)?$",
        ),
    ),
}
_THIRD: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "food_delivery": {
        "attitude": ("诚意 吼", (), ()),
        "taste": (
            "辣得 咸得 甜得 酸得 淡得 酸爽 蔫 过瘾 嚼不动 咬不动 嚼不烂 粒粒分明 肉质 碱味 "
            "新鲜 不腻 q弹 弹牙 拉丝 爆汁 软嫩 鲜甜",
            (
                r"吃(?:的|得|着|起来)[^，]{0,3}(?:一般|还行|不错|可以|很好|不好|太差|很差)",
                r"(?:煎|炒|炸|烤|煮|炖|卤|蒸|烧|切|腌|拌|熬)得[^，]{0,3}"
                r"(?:老|嫩|香|好|焦|糊|咸|淡|透|烂|硬|软|干|生|过|粗|细|厚|薄|稠|稀|入味)",
                r"(?:辣椒|孜然|盐|糖|醋|酱油|花椒|调料|葱|香菜|蒜|味精|胡椒)[^，]{0,3}"
                r"(?:太多|太少|放多了|放少了|多了|少了|不够|过多)",
            ),
            (),
        ),
        "portion": (
            "缩水 塞牙缝 小了一圈 变少了 巴掌大 吃撑 很撑 好撑 就这么点 就那么点",
            (
                r"(?<![质数流音重销容电能产含])量(?:也|还|又|都)" + _BIG + r"(?:少|小|大|足|多|够)",
                r"(?:只有|只装了?|才|就|也就|不到|还没)(?:大|小)?半(?:杯|碗|盒|份|袋)",
                r"(?:就|只有|才|只)(?:那么)?一(?:点点|丁点)",
                r"(?:就|只有|才|只)一?小(?:碗|盒|份|杯|碟|勺|块)",
                r"(?:这么|那么)少(?!见|有)",
                r"(?:[一两二三四]|几)个?人吃[^，]{0,3}(?:刚好|正好|够|不够|吃不完|饱)",
            ),
            (
                r"[^，]{0,6}够(?:劲|味|辣|香|爽|鲜|入味)",
                r"(?:满减|减|优惠|券|红包|价|花|付|卖|收|要)[^，]{0,6}"
                r"(?:几|" + _NUMBER + r")块(?:钱|多|左右)?$",
                r"(?:几|" + _NUMBER + r")块钱",
            ),
        ),
        "packaging": (
            "没漏 不漏 没洒 不洒 没有洒 没有漏 一点没撒 一点都没撒 漏得 漏油 锡纸 打包袋 保鲜膜 "
            "杯盖 盖紧 没盖好",
            (),
            (),
        ),
        "cleanliness": (
            "霉点 塑料丝 飞虫 玻璃渣 纸屑 猪毛 肚子不舒服 油污",
            (
                r"吃[^，]{0,4}(?:胃疼|胃痛|肚子疼|肚子痛)",
                r"吃出(?:了|来)?[^，]{0,8}(?:头发|毛|虫|苍蝇|蟑螂|石头|石子|沙|塑料|纸|烟头|指甲|钢丝|铁丝|胶|"
                r"玻璃|创可贴|异物|不该有的东西)",
            ),
            (),
        ),
    },
    "ecommerce": {
        "quality": (
            "纸质 字迹 排版 装订 缺页 错别字 磨平 磨破 暖和 起皱 皱巴巴 甜度 汁水 扎人 不扎 起静电 真皮",
            (
                _WORN + r"[^，]{0,4}(?:坏|破|裂|掉|断|开胶|脱胶|开线|脱线|起球|褪色|掉色|发黄|变形|"
                r"生锈|松|漏|不行|失灵|鼓|起毛|碎)",
            ),
            (),
        ),
        "attitude": ("骂我 辱骂", (), ()),
        "appearance": ("上身 显瘦 显胖 显白 显黑 显高 显矮 显气质", (), ()),
        "size": ("塞不下 占地方", (r"(?:穿|买|选|拍|要|换)(?:的|了)?(?:\d*x{0,3}[lms]|xs)(?![a-z\d])",), ()),
        "performance": (
            "滋润 补水 美白 服帖 持妆 遮瑕 拔干 清洁力 去污 烧水 煮饭 煮粥 长痘 过敏 烂脸 闷痘",
            (
                r"充不(?:进|上|满)",
                r"(?:好|难|易|容易|不好|不易)吸收|吸收(?:很|挺|特别|非常|比较)?(?:快|慢|好|差|彻底)",
                r"(?:头发|发丝|发质)[^，]{0,4}(?:顺|滑|蓬松|柔|干枯|打结)",
            ),
            (
                r"上身效果|穿上效果|穿着效果|上脚效果",
                r"(?:淘宝|天猫|京东|拼多多|唯品会|苏宁)(?:app)?[^，]{0,6}(?:卡死|卡顿|闪退|死机|反应)",
            ),
        ),
        "packaging": ("快递袋 快递箱 冰袋 冰排 泡沫箱 保温箱", (), ()),
        "speed": (
            "",
            (),
            (
                r"(?:开机|运行|充电|反应|读写|传输|加载|制冷|制热|出水|加热|启动|吸收|烧水|煮饭|煮粥)"
                r"[^，]{0,4}(?:很快|快|慢|迅速|速度)",
            ),
        ),
        "app": ("手机淘宝 手淘", (), ()),
    },
    "hotel": {
        "attitude": ("诚意 摆臭脸", (r"脸[^，]{0,2}臭",), ()),
        "speed": (
            "",
            (r"(?:办|处理|查)(?:了|得)?(?:很久|好久|半天|老半天|那么久|这么久)",),
            (r"(?:延迟|延时|推迟)(?:退房|到)",),
        ),
        "room": ("采光 无窗 没窗 江景房 园景房 城景房 湖景房 山景房", (), ()),
        "cleanliness": (
            "整洁 一尘不染 邋遢 渍",
            (r"(?:床单|毛巾|浴巾|被套|被罩|枕套|床品)[^，]{0,3}(?:换|更换)",),
            (),
        ),
        "environment": (
            "嘈杂 吵闹 江景 河景 园景 城景 夜景",
            (),
            (
                r"(?:早餐|早饭|餐厅|自助餐)[^，]{0,6}(?:座位|拥挤|人多|人太多)",
                r"房间[^，]{0,4}特色",
            ),
        ),
        "location": (
            "好找",
            (
                r"(?:就在|紧挨着?|挨着|靠近|毗邻|临近|紧邻)[^，]{0,8}(?:边|旁|附近|对面|站|路|街|广场|景区|机场|市|"
                r"中心|湖|江|海|山|寺|公园|大学|商场)",
                r"(?:湖|江|河|路|街|站|广场|景区|公园)边",
                r"出门就(?:是|到|有)",
                r"楼下就(?:是|有)",
                r"(?:吃东西|吃饭|购物|逛街|买东西|出行|觅食)[^，]{0,2}(?:很|挺|非常|比较|特别|都|也)?不?(?:方便|便利)",
            ),
            (r"周边(?:的)?(?:绿化|风景|景色)",),
        ),
        "facilities": (
            "儿童乐园 水上乐园 游乐 桑拿 棋牌 会议室 充电桩 洗衣房 健身 洗衣机 投影 加湿器 地暖 信号",
            (),
            (r"下水道[^，]{0,3}味",),
        ),
        "breakfast": ("双早 单早 含早 无早 不含早 煎蛋 鸡蛋 荷包蛋 粥 油条 现做 现煮 现煎", (), ()),
        "service": ("寄存 接机 送机", (r"送(?:来|过来|上来|到房间)",), ()),
    },
    "service": {
        "attitude": ("诚意 打官腔 官腔 黑脸 摆架子 高高在上", (), ()),
        "speed": (
            "一直在等",
            (r"(?:办|处理|查)(?:了|得)?(?:很久|好久|半天|老半天|那么久|这么久)",),
            (r"跑(?:了)?(?:好几|几|" + _NUMBER + r")个?窗口",),
        ),
        "service": (
            "绿色通道 打不进去 打不进来 答复 没回复 不回复",
            (r"(?<!\d)(?:10086|10010|955\d\d)(?!\d)",),
            (),
        ),
        "network": (
            "",
            (r"电话[^，]{0,6}(?:断断续续|听不清|听不到|没声音)",),
            (r"宽带(?:师傅|安装工|装机)",),
        ),
        "price": (
            "",
            (r"(?:理财|存款|基金|年化|产品)[^，]{0,3}收益|收益率|收益[^，]{0,2}(?:低|高|少|多)",),
            (r"(?:交|充|缴)(?:了|的|个|完)?[^，]{0,6}?(?:话费|电话费)", r"推销[^，]{0,2}套餐"),
        ),
        "process": (
            "不给办 办不下来 跑一趟 跑了一趟 跑好几趟 异地办理",
            (
                r"跑(?:了)?(?:好几|几|" + _NUMBER + r")(?:个)?(?:窗口|柜台|部门|网点|地方)",
                r"(?:还得|还要|必须|得|要|需要)(?:本人)?(?:亲自)?(?:去|到|跑)(?:柜台|网点|营业厅|银行)",
            ),
            (r"(?:app|界面|页面|操作|软件|手机银行)[^，]{0,4}(?:复杂|繁琐)",),
        ),
        "app": ("网上银行 手机营业厅 掌上银行 微信银行", (), ()),
        "environment": (
            "嘈杂 吵闹 很吵 太吵 安静 闹哄哄 乱哄哄 挤不下 狭小 人满为患 水泄不通",
            (
                r"(?:营业厅|大厅|网点|厅里)[^，]{0,2}(?:很|太|挺|特别|非常|比较|有点|超|好)"
                r"(?:小|大|挤|乱|冷|热|闷|脏|干净|整洁|舒服)",
            ),
            (),
        ),
    },
}


# Fourth pass, after the first reading of the holdout clauses
# (tests/data/aspect_clauses_holdout.csv, written blind like the blind set). Kinds fixed: fees named
# after the courier (配送费, 快递费) are price, not delivery; a merchant's pace (商家出餐很快) is
# speed, not service; helping and gifts (帮忙, 还送了一瓶饮料, 免费升级, 延迟退房, 帮忙叫车) are
# service; smiles are manners; dirty cutlery is hygiene, not packaging; damage to a box or its
# padding is packaging, not the product's quality, nor is a battery that lasts (电池耐用:
# performance); a device opening, starting or responding fast is performance, not speed; smells of a
# product (一股胶水味) are its quality, smells in a hotel (闻到) its environment, not its food;
# garments that are short or tight are size; 简约, 大方, 外观设计 are appearance; websites that fail
# are the app; room types (景观房, 亲子房) are the room; dust, disinfection and things not washed
# are hygiene; quiet or green surroundings and street noise are environment, not location, nor is a
# business trip (商务出行); queues and "很久才来" are speed; a branch's air is its environment; a
# plan that cannot be cancelled (套餐取消不了) is a procedure, not its price, and a fee paid
# (交了三个月的宽带费) is a fact. Then, by the same kinds: an order and its arrival told as two
# times, filling amounts (料很足), meals lost on the way, stray hairs, appliances' and cosmetics'
# effects, phones that cannot call out, repeated trips to a counter, a branch's temperature. Each
# new term was checked on random corpus clauses it hits, like the passes above.
_HELP = r"帮(?:忙|我们?|客人)"
_GIFT = (
    r"(?<![少漏没忘])(?:赠送|还送|多送|送了?(?:我|我们|一|两|一?瓶|一?个|一?份|一?杯|一?盘)?)[^，]{0,2}"
    r"(?:饮料|可乐|雪碧|小菜|水果|鸡蛋|甜品|果盘|小礼物|礼物|点心|矿泉水|蛋糕|牛奶)"
)
_FEE = r"(?:配送|送餐|快递|外送|派送|送货)费"
_SITE_DOWN = (
    r"(?:网页|网站|官网|网页版)[^，]{0,4}(?:打不开|进不去|登不上|登录不了|崩|报错|加载不出|卡)"
)
_DEVICE_QUICK = (
    r"(?<!售后|客服|京东|卖家|商家|店家|服务)(?:启动|响应|切换|打开(?:应用|软件|程序|网页|app))[^，]{0,4}(?:很快|快|慢|迅速|速度|流畅|卡)"
)
# an order and its arrival told as two times: "昨晚下单今早到" (speed, as the other sets read it)
_ORDER_TO_ARRIVAL = (
    r"下单[^，]{0,8}(?:就|才|今早|今天|明天|当天|次日|隔天|第二天|下午|上午|晚上|早上|中午|\d点|点半)"
    r"[^，]{0,3}(?:到|收到|送到|到货)(?:了|货)?$"
)
_LONG_THEN = r"(?:很久|好久|半天|老半天)才(?:来|到|送|有|好|做|出|处理|回|办|上|给|拿到)"
_FOURTH_ALL: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "delivery": ("", (), (_FEE,)),
    # the merchant's pace (商家出餐很快, 卖家发货慢) is speed, as every set reads it, not service
    "service": (
        "",
        (),
        (
            r"(?:商家|卖家|店家|老板)[^，]{0,2}(?:出餐|接单|发货|做饭|做菜|上菜)[^，]{0,4}(?:快|慢|迅速|及时|神速)",
            # the pace told before the act: 商家很快接单, 卖家马上发货
            r"(?:商家|卖家|店家|老板)[^，]{0,2}(?:很快|快速|迅速|及时|马上|立刻|立马|秒)(?:就)?"
            r"(?:出餐|接单|发货|做好|上菜)",
        ),
    ),
}
_FOURTH: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "food_delivery": {
        "speed": ("", (_LONG_THEN, _ORDER_TO_ARRIVAL, r"加载[^，]{0,3}(?:慢|半天|很久|好久)"), ()),
        "taste": ("", (), (r"漏油了?",)),
        "delivery": ("送丢", (), ()),
        "portion": (
            "",
            (
                r"(?:就|只有|才|只)(?:这|那)么?一?点(?:点)?(?:东西|菜|饭|肉|量|儿)?$",
                r"(?<![调酱配佐香作饮原材燃塑])料[^，]{0,2}(?:很足|超足|挺足|足|实在|很多|超多|太少|好少|很少)",
            ),
            (),
        ),
        "cleanliness": ("", (r"(?:[一有几]根|一撮|好多)毛(?!钱|病|豆|肚|巾|线|衣|毯)",), ()),
        "packaging": (
            "外卖盒 塑料盒 纸盒",
            (),
            (r"(?:餐具|筷子|勺子|叉子)[^，]{0,4}(?:不干净|脏|头发|虫|霉|黑)",),
        ),
        "service": ("帮忙", (_GIFT,), (r"(?:自动|系统)(?:给)?取消订单",)),
        "attitude": ("笑容 笑脸 微笑", (), ()),
        "app": ("", (r"(?:自动|系统)(?:给)?(?:取消|退款|关闭)",), ()),
    },
    "ecommerce": {
        "quality": (
            "",
            (
                r"(?:一股|有股|一阵|很大的|浓浓的|很浓的?)[^，]{0,5}味",
                r"(?:胶|胶水|皮革|化学|油漆|甲醛|橡胶|汽油|臭)味",
            ),
            (
                r"(?:电池|续航|待机)[^，]{0,3}耐用",
                r"压坏了?",
                r"(?:包装|外包装|包装盒|包装袋|盒子|纸箱|外箱|箱子|快递盒|外盒|泡沫|袋子)[^，]{0,4}"
                r"(?:坏|破损|破|厚|薄)",
            ),
        ),
        "appearance": (
            "简约 大方",
            (r"(?:外观|外形|造型|款式)设计|设计(?:感|得?(?:很|挺|非常|比较)?(?:漂亮|好看|美观|时尚|精美|新颖))",),
            (r"大方面|大方向|说明书太简约|贻笑大方|出手大方",),
        ),
        "size": (
            "",
            (
                r"(?:裤子|衣服|裙子|上衣|外套|鞋子|袜子|帽子|领子|衬衫|毛衣|t恤)"
                r"(?:有点|有些|太|偏|稍|略|挺|很|非常|特别|比较|都)?偏?(?:短|长|肥|瘦|紧|松|大|小|宽|窄|合适|合身)"
                r"(?!气|方|度|跌)",
            ),
            (),
        ),
        "performance": (
            "起痘 冒痘 爆痘 起疹",
            (
                _DEVICE_QUICK,
                r"(?:洗|吹|烘|吸|扫|拖)得[^，]{0,2}(?:很|挺|非常|特别|比较|超|不)?(?:干净|干|快|慢|彻底|均匀)",
            ),
            (),
        ),
        "speed": ("", (_ORDER_TO_ARRIVAL,), (_DEVICE_QUICK,)),
        "packaging": ("纸盒 塑料盒", (), ()),
        "app": ("", (_SITE_DOWN,), ()),
    },
    "hotel": {
        "room": (
            "",
            (r"(?:景观|亲子|家庭|主题|电竞|情侣|榻榻米|无烟|特价|江景|湖景|海景|山景|园景|城景|loft|复式)房(?!费|价|卡)",),
            (),
        ),
        "cleanliness": (
            "消毒 没洗 没擦 没清洗",
            (r"(?:是|有|一层|落|满是)灰(?!色|常)",),
            (r"消毒水|消毒毛巾", r"没洗(?:成)?澡|澡[^，]{0,3}没洗"),
        ),
        "environment": ("", (r"闻(?:到|得到|见)",), ()),
        "breakfast": ("", (), (r"闻(?:到|得到|见)[^，]{0,8}",)),
        "location": (
            "",
            (),
            (
                r"周[边围](?:的)?(?:环境|绿化|风景|景色)",
                r"周[边围][^，]{0,2}(?:很|非常|比较|挺|特别|太)?(?:安静|吵|嘈杂|清静)",
                r"(?:商务|家庭|亲子|旅游|假日|周末|自驾)出行",
                r"(?:马路|路边|临街|靠街|街道|公路|高架|铁路)[^，]{0,6}(?:吵|噪|声音|车声|喇叭)",
                _HELP + r"?[^，]{0,2}叫(?:了)?(?:个|辆)?(?:出租车|的士|车)",
            ),
        ),
        "service": (
            "帮忙 延迟退房 延时退房 晚退房 推迟退房 免费升级",
            (_GIFT, r"(?:给|帮)(?:我|我们)?[^，]{0,2}升级|升级(?:到|为|成)"),
            (),
        ),
        "attitude": ("笑容 笑脸 微笑", (), ()),
        "speed": ("排队", (r"排(?:了)?[^，]{0,4}队", _LONG_THEN), ()),
    },
    "service": {
        "speed": ("", (_LONG_THEN, r"加载[^，]{0,3}(?:慢|半天|很久|好久)"), ()),
        "price": (
            "",
            (),
            (
                r"(?:取消|退订|变更|更改|改)(?:了|的)?个?套餐|套餐[^，]{0,2}(?:取消|退订|变更|更改)",
                # a bill or fee paid, told as a fact ("交了三个月的宽带费")
                r"^[^，]{0,6}?(?:交|充|缴|付)(?:了|的|完)[^，]{0,8}?费(?:用)?$",
            ),
        ),
        "process": (
            "",
            (
                r"(?:取消|退订|注销|解绑|停机|过户|变更)[^，]{0,2}(?:不了|不掉|很难|麻烦|困难)",
                r"(?:不让|不给|不能|无法|没法)(?:取消|退订|注销|解绑|变更)",
                r"跑(?:了)?(?:好几|几|[\d一二两三四五六七八九十]+)(?:次|趟|回)",
            ),
            (),
        ),
        "app": ("官网 网站 网页", (_SITE_DOWN,), ()),
        "attitude": ("笑容 笑脸 微笑", (), ()),
        "environment": ("空气 通风 冷气 暖气 温度", (), ()),
        "network": ("打不出去 打不出电话", (), ()),
    },
}


# Fifth pass: the labelling conventions (docs/guide/feedback.md, "How the clauses are labelled"),
# which all clause sets now follow, made explicit in the lexicons by kind. A person's manners are
# attitude; service too only for service staff (客服, 前台, 服务员, 柜员) or when something was done
# for the customer, so a merchant's, seller's or shop owner's manners (老板很热情, 卖家说话很冲) are
# attitude alone, and a person who is nice (老板人很好) has manners. The pace of checking in or out
# (办理入住很快, 退房等了半小时) is speed; service too only when staff or a service is named. The
# bathroom, its fittings (淋浴, 马桶, 浴缸, 洗手台) and soundproofing are the room, not facilities
# nor environment; noise heard is environment. An arrival alone (第二天就到货了, 隔天就到了) is
# speed; delivery too only when delivering, shipping or the courier is named (送达, 才发). A
# deposit refunded is a refund (service), not a price. Each change was checked on random corpus
# clauses it changes.
_MERCHANT = r"(?:商家|卖家|店家|老板娘|老板|店主|掌柜)"
_BATH = r"(?:卫生间|洗手间|浴室|厕所|淋浴|花洒|浴缸|马桶|洗手台|洗脸台|洗手池|洗漱台|地漏)"
_ERRAND = r"(?:办理|办(?=入住|退房|手续)|入住|退房|结账|结帐|手续)"
_PACE = (
    r"(?:(?<!愉|赶|尽)快(?!捷|乐|递)|慢|迅速|麻利|效率|等|(?<!安)排了|排队|队|分钟|小时|半天|很久|好久|秒)"
)
# the words between an errand and its pace, never across the staff or service named with it
_NOT_STAFF = r"(?:(?!前台|服务|工作人员|经理|管家|总台)[^，])"
_DEPOSIT_BACK = r"押金[^，]{0,4}(?:退(?!房)|返还)|(?:退还|返还|退回|退了?)押金"
_NICE = r"人(?:很|超|挺|特别|真|非常|蛮|超级)?(?:好|nice|不错|实在|厚道|和善|善良|随和)"
_NICE_PERSON = r"(?:老板娘|老板|商家|店家|卖家|店主|骑手|小哥|师傅|前台|服务员|客服|阿姨|大姐)" + _NICE
_FIFTH_ALL: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "attitude": ("", (_NICE_PERSON,), ()),
    "delivery": ("", (), (r"到货",)),
}
_FIFTH: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "food_delivery": {},
    "ecommerce": {"delivery": ("", (r"(?:才|还没|没|迟迟不|一直不)发了?$",), ())},
    "hotel": {
        "room": ("隔音", (_BATH,), ()),
        "facilities": ("", (), (_BATH + r"(?:[^，]{0,3}?(?:水压|下水|排水))?",)),
        "environment": ("听得一清二楚 听得清清楚楚 听得很清楚", (), (r"隔音",)),
        "service": (
            "",
            (_DEPOSIT_BACK,),
            (
                _ERRAND + _NOT_STAFF + r"{0,8}?" + _PACE,
                r"(?:很快|迅速|马上|几分钟|一会儿)[^，]{0,4}(?:办好|办完|办理)?了?(?:入住|退房)",
            ),
        ),
        "price": ("", (), (_DEPOSIT_BACK,)),
    },
    "service": {},
}



# Sixth pass, after the first reading of the round-5 clauses (tests/data/aspect_clauses_round5.csv,
# written blind like the blind and holdout sets). Kinds fixed: supplies and appliances in a room
# (拖鞋, 浴袍, 冰箱) and water or power cuts are facilities, not the room; the room's light
# (灯光, 光线), walls and ceiling are the room; a room's age (房间装修老旧) is the room, not the
# surroundings; staff named after the rooms (客房阿姨) are no room, nor is a room upgraded or a
# meal brought to it; the view from a window (从窗户能看到) and the state of a beach or garden are
# environment, not location; a lift to the station is service, not location; a parking space hard
# to find is no location; a deposit paid back after a wait is service; a stay's day (入住第二天) is
# neither speed nor service; a drain smell (反味) is environment; soundproofing that lets no sound
# through is the room alone; afternoon tea is dining and booking a restaurant is service; the pace
# of a network (网速慢得像蜗牛, 上网比较快) is the network, in hotels a facility, not speed. In the
# shops: speed told as 就是快, 贼快 (not 就是快递); price protection (价保) is after-sales
# service; a device that lags or runs without lag, no app named (and the brand 哈曼卡顿), is not
# the app, nor is an app that works badly the product's performance; a clever device is
# performance; clean cutlery is hygiene; coupons that fail in the app are the app. In bank and
# telecom service: booking in an app and an errand told as a fact (今天去销户) are not a
# procedure; staff who guide are service; not having to go (不用跑腿) is a procedure; a hall told
# as 又小又挤 or 敞亮 is its environment. Each new term was checked on random corpus clauses it
# hits, like the passes above.
_IN_APP = r"(?:app|软件|客户端|小程序|手机银行|网上|线上|微信|网页)"
# the pace of a network or internet connection (网速慢得像蜗牛, 上网比较快): the network or a hotel's
# facilities, not speed
_DEPOSIT_LATE = r"押金[^，]{0,8}(?:退(?!房)|返还)"
_NET = r"(?:网速|网络|上网|宽带|wifi|无线|信号)"
_NET_PACE = (
    _NET + r"[^，]{0,6}?(?:(?:慢|快)得[^，]{0,4}|蜗牛|龟速|飞快|"
    r"(?:很|太|好|超|特别|非常|比较|相当|蛮|挺|贼|巨)?(?:快|慢))"
    r"|" + _NET + r"[^，]{0,4}速度"
)
_SIXTH_ALL: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "speed": ("", (r"(?:就是|贼|巨|蛮|够|相当|非常|特别|比较)快(?![递捷乐])",), ()),
}
_SIXTH: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "food_delivery": {
        "packaging": ("", (), (r"(?:餐具|筷子|勺子|叉子)[^，]{0,4}干净",)),
        "app": ("", (r"(?:红包|优惠券|券)[^，]{0,4}(?:用不了|不能用|无法使用|使用不了|领不了|领不到)",), ()),
    },
    "ecommerce": {
        "service": ("价保 保价", (), ()),
        "performance": (
            "智能",
            (r"(?:机器人|机器|扫地机|音箱|手表|手环)[^，]{0,3}(?:很|挺|非常|特别|超|比较|不够|不太)?聪明",),
            (
                _IN_APP + r"[^，]{0,4}(?:不好用|好用|难用)",
                r"智能(?:手机|电视|手表|手环|音箱|家居|马桶|门锁|机)",
            ),
        ),
        "app": (
            "",
            (),
            (
                # a lag told without an app named is the device's (performance)
                r"^(?:(?!app|软件|淘宝|京东|天猫|拼多多|页面|界面|下单|付款|支付|客户端|小程序|网页|网站)[^，])*卡顿",
                r"哈曼卡顿|(?<!app)(?<!软件)不卡顿?",
            ),
        ),
    },
    "hotel": {
        "room": (
            "墙皮 墙面 墙壁 天花板",
            (r"(?<!走廊)(?<!楼道)(?<!大堂)(?<!大厅)(?:灯光|光线)",),
            (
                r"拖鞋|浴袍|冰箱",
                r"客房(?:阿姨|保洁|人员|员工|经理|主管|大姐|小姐)",
                r"升级了?(?:房间|客房)$",
                r"送[^，]{0,3}到房间",
            ),
        ),
        "facilities": (
            "拖鞋 浴袍 冰箱 停水 停电 公共厨房 公共区域",
            (),
            (r"灯光",),
        ),
        "environment": (
            "反味",
            (
                r"窗[户子]?(?:外|外面)?(?:就能|能|可以|就可以)?看(?:到|得到|见)",
                r"(?:沙滩|海滩|海水|花园|园林|草坪|湖水|泳池边)[^，的]{0,3}(?:干净|美|漂亮|清澈|很好|不错)",
            ),
            (r"(?:房间|客房|屋里|屋子)[^，]{0,4}(?:陈旧|老旧|破旧|旧)", r"隔音[^，]*声音"),
        ),
        "location": (
            "",
            (),
            (
                r"送(?:我们|我|客人)?(?:去|到)[^，]{0,6}(?:车站|机场|火车站|高铁站|码头|地铁站)",
                r"(?:沙滩|海滩|海水|花园|园林|草坪|湖水)[^，的]{0,3}(?:干净|美|漂亮|清澈|很好|不错)",
                r"(?:车位|停车位|停车)[^，]{0,3}(?:难找|不好找)",
            ),
        ),
        "service": (
            "",
            (r"(?:开车|专车|免费)送(?:我们|我|客人)(?:去|到)", _DEPOSIT_LATE, r"送餐?到房间"),
            (r"入住(?:的)?(?:第[^，]{1,2}天|当天|当晚)",),
        ),
        "price": ("", (), (_DEPOSIT_LATE,)),
        "speed": (
            "",
            (),
            (
                r"入住(?:的)?(?:第[^，]{1,2}天|当天|当晚)就?",
                _NET_PACE,
            ),
        ),
        "breakfast": ("下午茶", (), (r"(?:订|预订|预定|推荐|介绍)了?[^，]{0,3}餐厅",)),
    },
    "service": {
        "speed": ("", (), (_NET_PACE,)),
        "process": (
            "跑腿 白跑",
            (),
            (
                _IN_APP + r"[^，]{0,3}预约",
                # an errand told as a fact ("今天去销户", as "去营业厅补卡")
                r"^(?:今天|昨天|前天|刚才?|上午|下午|上周|上个月)?(?:去|来)(?:营业厅|网点|银行|柜台)?(?:办理?)?"
                r"(?:销户|开户|挂失|补卡|销号)了?$",
            ),
        ),
        "service": ("", (r"有人(?:指导|引导|帮忙|讲解|解答)|(?:耐心|专人|全程)(?:指导|引导)",), ()),
        "environment": (
            "敞亮 明亮 装修",
            (r"(?:营业厅|大厅|网点|厅里)[^，]{0,2}又(?:小|大|挤|乱|冷|热|闷|脏)",),
            (),
        ),
    },
}

# Seventh pass, after the first reading on real hotel reviews (a seeded sample of the clauses of
# the online-shopping corpus's hotel reviews, judged before any change; the feedback guide tells
# how): real reviews tell what happened far more often than the written sets do, so facts are
# read as facts. A stay told as a fact (我10月19日入住, 再一次入住该酒店, 感谢您选择入住) is no
# service; a room booked, given, asked for or gone to (定的是豪华标间, 进了房间以后, 要求调换房间),
# a room type alone (江景房其实有两种) and a room reached by an upgrade (获提升至行政房) are no
# room, the upgrade being service; a room key card is a facility; walking or taxi times to a place
# (走路5分钟就能到) are location, not speed; 地理环境 is location, not environment; bathroom
# fittings and furniture that are old are the room, not the surroundings; 难能可贵 and 华贵 are no
# price. Added from what the sample's unmatched clauses name: faces and moods staff show (铁青着脸,
# 一脸没表情, 不情愿, 用眼白看人), waits counted as "等半小时", water that is muddy or will not warm,
# a room's double glazing and springs, smells (气味), building-site noise and public safety (治安),
# extra fees (清洗费) and sums demanded.
_STAY_FACT = (
    r"(?:第[^，]{1,3}次|再一?次|又一?次|首次|初次|连续|多次|曾经?|选择|欢迎|感谢您?的?|期待您?的?|您的|"
    r"[\d一二三四五六七八九十]+[日号])?"
    r"入住(?![^，]{0,4}(?:顺利|方便|麻烦|繁琐|安排|体验|手续|流程|登记|服务|办理|等|快|慢))"
)
_ROOM_WORD = (
    r"(?:房间|客房|[^，]{0,4}房(?!费|价|卡|间?卡)|[^，]{0,3}(?:标间|单间|套间|双人间|单人间|套房|标准间))"
)
_ROOM_FACT = (
    r"(?:订|定|预订|预定|订到|定到|要|住|换|调换|调|开|进|回|回到|(?<![达感想得遇受])到|看|安排)"
    r"(?:了|的是|的|好|到|在)?(?:(?!好|差|不错|一般|干净|脏|旧|满意|舒服|漂亮|很|太|挺|比较|非常|特别)[^，]){0,10}?"
    + _ROOM_WORD + r"(?:以后|之后|后|时|里|内)?$"
    r"|^[^，]{0,8}房(?:[+和、与及][^，]{0,8}房)*(?:其实|一共|共)?(?:有[^，]{0,3}种)?$"
)
_UPGRADED = r"(?:升级|提升|升)(?:至|到|为|成)[^，]{0,8}房"
_GO_THERE = (
    r"(?:走路|步行|走|打车|打的|打个的|坐车|开车|车程|骑车|坐地铁|地铁|公交|坐公交)"
    r"[^，]{0,8}?(?:就|才|便)(?:能|可以)?(?:到|就到了|到了)"
)
_MANAGED = (
    r"管理(?:很|非常|比较|太|挺|得)?(?:混乱|有序|规范|到位|不善|一流|差|好|乱)|(?:一流|混乱|规范|严格|良好)的管理"
)
# the shops' audit: a screen that scratches is the product's wear, a surface that keeps fingerprints
# its look (not the fingerprint sensor); a phone's or computer's system is the device, not the shop's
# app; a wait told with "左右" before 就 or 才
_SCREEN_WORN = r"(?:屏幕|屏)[^，]{0,4}(?:磨花|划痕|刮花|划花|花了|碎了|裂了)"
_SMUDGES = r"指纹(?:收集器|很明显|太明显|印)|(?:留|沾|粘|印)(?:上|下)?指纹"
_DEVICE_SYSTEM = (
    r"系统区|系统盘|操作系统|软件系统|系统(?:很|太|挺|比较|不太|不)?(?:稳定|流畅|卡|慢|快)"
)
_ABOUT_THEN = _NUMBER + r"个?多?(?:小时|分钟|天)(?:左右|之内|以内)(?:就|才)"
_SEVENTH: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "food_delivery": {
        "delivery": (
            "",
            (
                r"送的(?:很|太|特|超|挺|真|好|非常|比较|特别|超级)?(?:快|慢)",
                r"(?:\d+|[一二两三四五六七八九十半几]+个?多?(?:分钟|小时))(?:后|之后)?(?:就|才)送到",
            ),
            (),
        ),
        "speed": (
            "",
            (
                r"(?:超级|这么|那么|多|真|特别|非常|巨|贼|越来越|也太)慢(?!慢|性|热|跑|走|炖|火|用|点)",
                r"(?:\d+|[一二两三四五六七八九十半几]+个?多?(?:分钟|小时))(?:后|之后)?(?:就|才)送到",
                r"等(?:得|到)[^，]{0,3}(?:脾气|没脾气|花都谢了|花儿都谢了|睡着)",
                _ABOUT_THEN,
            ),
            (),
        ),
        "portion": (
            "",
            (r"(?<![质数重流销音容能力])量(?:不|很|挺|太|好|特别|非常|比较|有点|有些|也|还)?(?:大|多|少|足)",),
            (r"加了?[一二两三四五六七八九十\d]+块",),
        ),
        "attitude": ("粗鲁 粗暴 无礼", (), (r"(?:等|饿)[^，]{0,4}脾气",)),
        "taste": (
            "",
            (
                r"(?:极|太|好|很|有点|特别|超)柴",
                r"(?:菜|饭|肉|咖啡|奶茶|食材|菜品|饭菜)[^，]{0,2}(?:质量|品质)",
            ),
            (r"想吃[^，]{0,3}清淡",),
        ),
        "cleanliness": (
            "",
            (r"吃出(?:了|个|一个|一根|一块)?[^，]{0,6}(?:骨头|头发|毛|虫|石|沙|塑料|钢丝|纸|铁|玻璃)",),
            (),
        ),
        "service": (
            "占线 无法联系 联系不上 打不通 没人接",
            (
                r"(?:附送|另送|赠送了?)[^，]{1,8}|还送了?(?![的得到错过来去慢快晚早])[^，]{1,8}",
                r"忘(?:了|记)?(?:放|给|带|拿|加)?[^，]{0,3}(?:酱|筷子|餐具|勺|醋|辣椒|饮料|米饭|汤)",
            ),
            (),
        ),
        "packaging": ("", (), (r"(?:附送|还送了?|另送|赠送了?)[^，]{0,4}手套",)),
    },
    "ecommerce": {
        "quality": (
            "霉了 发霉 烂了 多汁 凑合吃",
            (r"(?:又|很|挺|特别|超|好|不)(?:脆|甜)(?:又|很|挺)?(?:脆|甜)?", _SCREEN_WORN),
            (),
        ),
        "performance": (
            "",
            (
                r"用(?:着|起来)[^，]{0,4}(?:方便|顺手|麻烦|别扭)",
                r"充[^，]{0,4}(?:很久|好久|半天)",
                _DEVICE_SYSTEM,
            ),
            (_SCREEN_WORN, _SMUDGES),
        ),
        "appearance": ("", (_SMUDGES,), ()),
        "app": ("", (), (_DEVICE_SYSTEM, r"杀毒软件|(?:送|附送|赠送|带)[^，]{0,4}软件")),
        "size": (
            "",
            (),
            (r"(?:电话|手机)号码|号码类型|二维码|密码|条码|条形码|代码|编码|解码|起码|价码|筹码|数码",),
        ),
        "speed": ("", (_ABOUT_THEN + r"(?:回|到|处理|发|送|解决|办|收到|给|上门|退)",), ()),
    },
    "hotel": {
        "service": (
            "行李车 行李生",
            (_UPGRADED, r"(?:坐|用|派|安排)了?酒店的?车", _MANAGED),
            (_STAY_FACT,),
        ),
        "room": ("双层玻璃 弹簧", (), (_ROOM_FACT, _UPGRADED, r"房间?卡")),
        "environment": (
            "气味 打桩 施工 治安 作响",
            (r"大声(?:说|喧|讲|吵|嚷|叫|聊|喊|放)|(?:很|好|太|特别)大声",),
            (
                r"地理环境",
                _ROOM_FACT,
                r"(?:房间|客房|屋里|屋子)(?:的|里的?|内的?)?装修",
                r"(?:马桶|浴缸|洗手台|洗脸台|淋浴|花洒|家具|沙发|床)[^，]{0,6}(?:陈旧|老旧|破旧|旧)",
            ),
        ),
        "location": (
            "打个的",
            (),
            (
                r"(?:去|到|往|回)了?(?:市区|机场|火车站|车站|景区|商场)(?![^，]{0,6}(?:方便|近|远|分钟|公里|小时|站))",
                r"(?:比|不如)[^，]{0,4}(?:附近|对面|旁边|周边)",
                r"(?:哪个|什么)位置",
            ),
        ),
        "facilities": (
            "房卡 房间卡 混水 浑浊 铁锈 配置",
            (r"放了[^，]{0,6}(?:还是|也|都)[^，]{0,4}(?:冷|凉|热)",),
            (r"电脑部",),
        ),
        "attitude": (
            "铁青 没表情 面无表情 不情愿 眼白 反咬一口 打发人 宣泄",
            (r"(?:被|还被)(?:他|她|他们|她们|保安|服务员|前台)?骂",),
            (),
        ),
        "speed": (
            "",
            (
                r"等(?:上|个)?(?:一刻钟|半小时|半个小时|[一二两三四五六七八九十半几\d]+个?多?(?:分钟|小时|刻钟))",
                r"(?:几|[一二两三四五六七八九十\d]+)天(?:了)?(?:也|都)(?:没有?|不)(?:给|见|来|修|解决|处理|换|补|回)",
            ),
            (_GO_THERE,),
        ),
        "cleanliness": ("霉点 霉斑", (), ()),
        "breakfast": ("餐食", (), ()),
        "price": (
            "",
            (
                r"(?:才|只要|只需|要|收了?|花了?)(?:\d+多?(?:元|块)|[一二两三四五六七八九十百千]+多?元)",
                r"(?:清洗|清洁|洗衣|停车|上网|宽带|电话|赔偿|损坏)费",
                r"(?:非要|要收|多收|多付|多交|还要)[一二两三四五六七八九十百千\d]+多?(?:元|块)",
            ),
            (r"可贵了?|华贵|富贵|珍贵|高贵",),
        ),
    },
    "service": {},
}


# Eighth pass, after the second real hotel audit (fresh clauses drawn after the seventh pass): room
# service (房间送餐) and a room held (房间预留, 留房) are service, not the room or a meal; staff who
# let rooms (开房间的人) and the lobby's duty manager (大堂副理) are staff, not the room or the lobby;
# a room's price is price; a hotel's grounds (占地面积) are its surroundings; a pick-up at the
# airport is service, not location, nor is a spot told as 具体位置 or 转角位置; an errand told as
# its time (在办离店手续的时候) or a desk gone to (刚到前台) is no service; 位于 and 太偏 are location;
# TV channels are facilities; a rumble (轰鸣) is noise.
_EIGHTH: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "food_delivery": {},
    "ecommerce": {},
    "hotel": {
        "service": (
            "大堂副理 大堂经理 没人理 指错路 程序化",
            (r"(?:房间|客房)送餐|送餐服务|房间预留|留房",),
            (
                r"(?:在|刚)?办(?:理)?(?:离店|退房|入住)?手续的?(?:时候|时)$",
                r"^(?:刚到|通知|找|问了?|去)(?:一下)?前台$",
                r"(?:去|来|在|出去|出门|到)[^，]{0,8}办事(?!效率|能力|认真|拖拉|麻利)",
            ),
        ),
        "room": (
            "",
            (),
            (
                r"(?:房间|客房)送餐|送餐服务|房间预留",
                r"开房间?的(?:人|服务员|小姐|前台)",
                r"房间的?(?:价格|价钱|价位)",
                r"占地面积",
            ),
        ),
        "breakfast": ("", (), (r"(?:房间|客房)送餐|送餐服务",)),
        "environment": ("占地 轰鸣", (), (r"大堂(?:副理|经理)", r"^窗外$")),
        "location": (
            "位于 太偏 好偏 挺偏 有点偏 比较偏",
            (),
            (
                r"机场[^，]{0,4}(?:接|出口)|接机",
                r"(?:转角|拐角|具体)位置",
                r"位于(?:[一二三四五六七八九十\d]+(?:楼|层)|头顶|上方|下方)",
            ),
        ),
        "facilities": ("频道 bbc cnn", (), ()),
        "price": ("", (r"(?:多付|多收|多交|多花)了?\d+",), ()),
    },
    "service": {},
}


# Ninth pass, after the third real hotel audit (whose errors were mostly a room named in what
# happened: 是商务标准间, 夏日商务套房的价格780): a room named in a clause
# with no word that judges or tells a defect (_JUDGING: degree words, negation, qualities, defects,
# sizes, views) names no room. Checked on the corpus clauses it changes (about 1,800 of the hotel
# reviews' clauses lose the room; of random ones read, about three in four named the room without
# judging it, the others judged it in words the list lacks).
_JUDGING = (
    r"很|太|挺|蛮|非常|特别|比较|较|超|真|好|差|不错|一般|还行|可以|满意|舒服|舒适|干净|整洁|脏|乱|旧|新|大|小|"
    r"宽|窄|暗|亮|吵|静|潮|湿|霉|味|臭|硬|软|不|没|无|有点|有些|够|值|贵|便宜|漂亮|温馨|简陋|豪华|方便|麻烦|"
    r"失望|喜欢|推荐|一流|垃圾|破|坏|烂|难|棒|赞|高|低|齐全|陈旧|老|冷|热|透|厚|薄|响|漏|灰|黑|黄|舒|闷|凉|"
    r"污|垢|堵|断|脱|剥|掉|裂|虫|蟑螂|蚊|头发|毛|落地窗|中规中矩|隔音|玻璃|加强|改进|提高|正对|朝|景|满|油漆|闻|香|"
    r"问题|发现|居然|竟然|只能|只有|仅|面对|装修|四处|一股|尚可|过得去|过的去|充足|临街|临马路|看到|看得到|质量|自动|"
    r"可惜|缺|挤|平米|平方|只是|普通|合理|私密|简单|过于"
)


def _unjudged(*also: str) -> str:
    """One character of a clause that is no judging word (_JUDGING) and none of ``also``."""
    return r"(?:(?!" + "|".join((_JUDGING, *also)) + r")[^，])"


_NOTHING_JUDGED = "^" + _unjudged() + "+$"
_NINTH: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "food_delivery": {},
    "ecommerce": {},
    "hotel": {"room": ("", (), (_NOTHING_JUDGED,))},
    "service": {},
}


# Tenth pass, after the first three hotel audits' remaining errors, by kind (audit_hotel4 kept held
# out), each change checked on the corpus clauses it changes: the guest's errand told to staff with
# nothing said of what they did (后来问了前台, 跟服务员说一下, 打电话到前台) and an errand told as its
# time or as done (结帐时, 办完手续) are no service; a section heading (5、服务, 关于房间) names
# nothing; a meal eaten as a fact (中午吃的自助餐) is no meal judged, nor are eating places near the
# hotel; a room that is full (房间比较满), a thing left in the room (落在了客房), cleaners (房间清洁员:
# staff, their manners attitude) and a special-rate room with its sum (特价房只有300多: price) are no
# room, a special-rate room told as a fact no price; bathroom fittings (淋浴设施) are the room, not
# facilities; lifts and car parks used as facts are no facilities; a dish's taste (蒸饺味道不错) is
# the meal, not a smell; 脏话 is no dirt; a place in someone's mind (心目中的位置), a service centre
# and a trip (去会展中心参展) are no location; a card fee (手续费), the front desk's rate and a server
# (服务器) no service; 办事很方便 is location. Added from the unmatched clauses: 物有所值, early
# check-in allowed, shops and stops at the door, staff who do not look up, 友善.
_NO_JUDGING = _unjudged(r"\d") + "*"
_STAFF = r"(?:前台|总台|服务员|服务生|保安|经理|大堂副理|管家|礼宾部?|门童|行李员|接待员?|工作人员|管家部)"
# what staff did or how long it took, which judges them (还被他骂, 马上就送过来了, 要才给, 弄了3次,
# 交涉的结果是)
_STAFF_JUDGED = (
    r"小时|分钟|半天|好久|次|一直|骂|马上|立即|立刻|才|解决|结果|就来|就送|态度|热情|耐心|礼貌|冷漠|恶劣|周到|"
    r"及时|帮|主动|笑|理|凶|拒绝|推|敷衍|等|被|擅自"
)
_UNJUDGED_STAFF = _unjudged(_STAFF_JUDGED)
_TOLD_STAFF = (
    "^" + _unjudged(_STAFF_JUDGED, "得", "必须", "需要", "要问") + "*"
    r"(?:(?:问了?|询问|质问|告诉了?|打电话给|打给|打到|电话|通知了?|找了?|交(?:给|该)?|联系了?|请|碰到|遇到)"
    r"(?:一下)?(?:该?酒店的?)?(?:值班的?|当班的?)?" + _UNJUDGED_STAFF + r"{0,2}?" + _STAFF
    + r"|(?:和|跟|向|对|给)(?:该?酒店的?)?" + _STAFF
    + r"[^，]{0,3}(?:说|讲|反映|反应|提|要求|要|换|确认|打了?个?电话|联系|交涉|沟通))"
    + _UNJUDGED_STAFF + r"*$"
)
# an errand told as its time or as done (结帐后, 在中餐厅结帐时, 可是结帐时, 办完手续, 第二天离店结账)
_ERRAND_TIME = (
    r"^(?:可是|但是|但|而|就|我)?(?:在[^，]{0,5}|当|到|等到?)?(?:办理?)?"
    r"(?:入住|退房|结帐|结账|离店|check ?in|check ?out)(?:手续)?(?:后|时|的时候|之后|以后|前|之前|当天|期间)$"
    r"|^(?:办完|办好|办理完)(?:了|入住|退房)?手续$"
    r"|^" + _unjudged(r"\d", "延", "推迟", "逼", "排队", "必须", "告知") + r"*(?:离店|结帐|结账|退房)+$"
)
# a section heading: an aspect's noun alone, numbered or not (5、服务, 关于房间, 酒店环境)
_HEADING = (
    r"^(?:[\d一二三四五六七八九十]+[、.)）]?|关于|还有|至于|酒店的?)*(?:服务|房间|客房|早餐|早饭|设施|位置|地理位置|"
    r"环境|卫生|价格|交通|餐饮|前台|床|性价比|隔音)(?:方面|情况)?$"
)
_MEAL = r"(?:早餐|早饭|早点|午餐|午饭|晚餐|晚饭|自助餐|餐饮|夜宵)"
_NOT_MEAL_JUDGING = _unjudged("排队", "等", "凑合", "几样") + "*"
_MEAL_TOLD = (
    r"^(?:[\d一二三四五六七八九十]+[、.]?)?(?:关于|还有|至于)?" + _MEAL + r"(?:方面)?$"
    r"|^" + _NOT_MEAL_JUDGING + r"(?:吃|用餐|用早餐|用过)" + _NOT_MEAL_JUDGING + r"$"
)
_DISHES = r"(?:蒸饺|饺子|炒面|面条|米线|米粉|煎饼|鸡蛋|煎蛋|点心|菜品|小吃|包子|馒头|粥)"
# eating places near the hotel, not compared with its own, are its location, not its meals
_EAT_NEARBY = (
    r"^(?:(?!比|和|与|跟)[^，])*(?:周边|附近|旁边|紧邻|对面|周围|边上|外面|隔壁)[^，]{0,8}"
    r"(?:餐饮|餐厅|饭店|餐馆|饭馆|酒家|小吃)"
)
# a special-rate room told as a fact, no sum named (这是特价房, 优惠大床房); a facility used
# as a fact (开车到停车场, 开着窗户和空调睡觉, 上了电梯)
_RATE_ROOM = r"^" + _NO_JUDGING + r"(?:特价|优惠)[^，]{0,4}房(?!价|费)" + _NO_JUDGING + r"$"
# a trip's purpose or a walk told (去会展中心参展, 第二天下去想到沙滩), not how near it is
_TRIP = (
    r"(?<![就以能接])(?:去|到)(?:会展中心|展览中心|沙滩|海边)"
    r"(?![^，]{0,6}(?:方便|近|远|分钟|公里|小时|站|要|很|一大圈))"
)
_NOT_USE_JUDGED = _unjudged(r"\d", "需要", "得", "才", "怕") + "*"
_USED = (
    r"^" + _NOT_USE_JUDGED
    + r"(?:(?<![晚楼早])(?:坐|乘|上|进|出)了?电梯|(?:到|去|进)了?(?:地下)?停车场|开着[^，]{0,3}空调)"
    + _NOT_USE_JUDGED + r"$"
)
_FULL = r"房间?(?:比较|都|已经?|全|已)?(?:订满|住满|满)(?!大|意)"
_LEFT_IN_ROOM = r"(?:落|丢|忘|遗忘|放)(?:在了?|到了?)[^，]{0,4}(?:客房|房间|房里|床上)"
_CLEANER = r"(?:房间|客房)?(?:清洁员|保洁员|清洁工|保洁阿姨)"
_BATH_FITTINGS = r"(?:卫生间|浴室|洗手间|淋浴)的?(?:淋浴)?设施"
_TENTH: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "food_delivery": {},
    "ecommerce": {},
    "hotel": {
        "service": (
            "清洁员 保洁员",
            (r"(?:可以|能|让|允许|给)[^，]{0,3}提前入住",),
            (
                _TOLD_STAFF,
                _ERRAND_TIME,
                r"手续费",
                r"服务器",
                r"前台的?(?:价格|价|房价)|在前台[^，]{0,3}(?:价格|价)",
                r"办事(?:很|挺|比较|非常|也|都)?方便",
            ),
        ),
        "breakfast": ("", (_DISHES + r"[^，]{0,6}(?:味道|好吃|难吃)",), (_MEAL_TOLD, _EAT_NEARBY)),
        "environment": ("", (), (_DISHES + r"[^，]{0,6}味道",)),
        "room": (
            "",
            (_BATH_FITTINGS,),
            (_FULL, _LEFT_IN_ROOM, _CLEANER, r"\d+[^，]{0,4}特价房|特价房[^，]{0,4}\d+"),
        ),
        "cleanliness": ("", (), (r"脏话", _CLEANER)),
        "facilities": ("", (), (_BATH_FITTINGS, _USED)),
        "attitude": ("友善 头也不抬 头都不抬 眼睛也不抬 看都不看", (), ()),
        "location": (
            "单行线",
            (
                r"办事(?:很|挺|比较|非常|也|都)?方便",
                r"(?:门口|楼下|附近|旁边|对面|周围|边上)(?:就|便|还)?有[^，]{0,6}"
                r"(?:有轨电车|电车|公交|地铁|车站|站|商场|超市|饭店|餐馆|银行|市场)",
            ),
            (r"心目?中的?(?:位置|地位)", r"离得?床", r"服务中心", _TRIP),
        ),
        "price": ("物有所值", (), (_RATE_ROOM,)),
    },
    "service": {},
}


_HEADINGS = {"hotel": {name: ("", (), (_HEADING,)) for name in HOTEL}}


# Eleventh pass, after the sixth real hotel audit (tuned on it, so it is no longer held out), by
# kind, each change checked on the corpus clauses it changes: staff and errands named in what
# happened (前台也已经确认, 在总台询问的时候, 下楼结账时, 要求送水), a room told as upgraded
# (升级为套房, 免费升级的套间: nothing judged), a stay meant again (不会再入住) and 服务 in other
# senses (上网服务, 色情服务) are no service; places arrived at, walked in or dug up (到达火车站,
# 在广场散步, 现在修地铁, 打车的话) are no location, the surroundings (周边环境) are environment; a
# heading that judges nothing (再说早餐, 地点位置, 房间设施, 早餐很重要) names nothing; the room's
# appliances (房间的电话, 电视遥控器) are facilities, not the room; hot and drinking water, remote
# controls, kettles, electric curtains and shuttle buses (接送大巴: not service) are facilities, a
# computer used to book and a thing left in the fridge no facilities; free things are priced, 不是钱
# 的问题 no price; staff's diligence (工作认真), sleep on duty, 狡辩 and 殷切 are attitude; barking
# dogs, calls from call girls and the view (景观, not a room type) are environment; check-in and
# check-out told by their minutes are speed; wardrobes (衣橱) are the room, phones nobody answers
# (打不通) service; a meal that suits the stomach (合胃口) and 太咸 are the meal. Left: the hotel's
# age (酒店有些老), read as facilities by the sixth audit and as the surroundings by the older ones.
_NO_PLACE_JUDGED = _unjudged("近", "远", "分钟", "公里", "步", "就", "要") + "*"
_NO_HELP = _unjudged("给", "帮", "主动", "特意", "特地", "送") + "*"
_HEADING_MORE = (
    r"^(?:再说|说说|说到|谈谈|再谈|再来说?说?|最后说?说?)(?:一下)?(?:酒店的?)?(?:服务|房间|客房|早餐|早饭|设施|"
    r"位置|环境|卫生|价格|交通|餐饮|前台|床|性价比|隔音)(?:方面)?$"
    r"|^(?:地点|地理)?位置$|^(?:房间|客房|酒店)(?:的)?设施$"
    r"|^(?:早餐|早饭|服务|位置|交通|价格|卫生|环境)(?:很|非常|最|也|是|比较|更)?(?:重要|关键)$"
)
_ROOM_APPLIANCE = (
    r"(?:房间|客房|房内|屋里|房里)(?:的|里的?|内的?)?"
    r"(?:电话|电视|遥控器|空调|冰箱|热水壶|水壶|水煲|吹风机|网线|进线|电脑)"
)
_SHUTTLE = r"(?:接送|穿梭)的?(?:大巴|巴士|班车)车?"
_CALL_GIRLS = (
    r"(?:按摩|色情)[^，]{0,3}(?:小姐|电话)|小姐的?电话|小姐打(?:来|进来)?的?电话|电话[^，]{0,4}(?:小姐|色情|按摩)"
)
_SURROUNDINGS = r"周边[^，]{0,2}环境"
_ERRAND_AT_DESK = (
    r"^[^，]{0,6}在" + _STAFF + r"(?:询问|问|咨询|办理?|结[帐账]|登记)[^，]{0,2}(?:的时候|时|后)$"
    r"|^(?:下楼|去前台|到前台|去总台|到总台)(?:办理?)?(?:入住|退房|结帐|结账)(?:手续)?(?:时|的时候|后)"
    r"|^" + _STAFF + r"(?:也|都)?(?:已经?)?(?:确认|核实|查询|登记)(?:了|过)?$"
    r"|^(?:我|我们)?(?:要求|让|叫|请)[^，]{0,4}送" + _NO_HELP + r"$"
)
_ARRIVED = (
    r"^" + _NO_PLACE_JUDGED
    + r"(?:到达|抵达|到了|下了)[^，]{0,8}(?:火车站|机场|车站)" + _NO_PLACE_JUDGED + r"$"
)
_CHECK_PACE = (
    r"(?:check ?out|check ?in|退房|入住|结账|结帐)[^，]{0,3}(?:要|用了|花了|等了)"
    + _NUMBER + r"个?多?(?:分钟|小时)"
)
_ELEVENTH: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "food_delivery": {},
    "ecommerce": {},
    "hotel": {
        "service": (
            "接不通 打不通 没人接",
            (),
            (
                r"(?:上网|宽带|网络|色情|按摩|特殊)服务",
                r"^" + _NO_HELP + r"(?:免费)?升级(?:为|成|的)" + _NO_HELP + r"$",
                _ERRAND_AT_DESK,
                r"(?:不会|不再|再也不)[^，]{0,3}入住",
                _CALL_GIRLS,
                _SHUTTLE,
            ),
        ),
        "location": (
            "",
            (),
            (
                _ARRIVED,
                r"在[^，]{0,8}(?:广场|公园|海边|江边|湖边|沙滩)(?:散步|逛|走走|玩)",
                r"修(?:地铁|马路|路)",
                r"^(?:如果|要是)?(?:打车|坐车|打的|步行|走路)的话$",
                _SURROUNDINGS,
            ),
        ),
        "room": ("衣橱", (), (_ROOM_APPLIANCE,)),
        "facilities": (
            "遥控器 洗澡水 饮用水 水煲 进线",
            (_SHUTTLE, r"(?:自动|电动)窗帘", r"电话(?:机)?(?:是|也|都|竟然)?坏"),
            (
                r"用电脑(?=[^，]{0,6}(?:预定|预订|订|查|看))",
                r"(?:落|丢|忘|遗忘|放)(?:在了?|到了?)[^，]{0,4}(?:冰箱|保险箱|柜子|抽屉)",
            ),
        ),
        "speed": ("", (_CHECK_PACE,), ()),
        "breakfast": ("太咸 偏咸 很咸", (r"(?:适合|合)[^，]{0,6}胃(?!疼|痛)",), ()),
        "environment": (
            "狂吠 狗叫 犬吠 景观",
            (_CALL_GIRLS, _SURROUNDINGS),
            (r"景观(?:大床|双床|标准|套|单人|双人|豪华)?房(?!间)",),
        ),
        "price": ("", (r"是免费的|免费提供",), (r"不是钱的问题|不在乎钱|不差钱",)),
        "attitude": ("殷切 狡辩 打瞌睡", (r"(?:工作|做事|办事)[^，]{0,4}认真",), ()),
    },
    "service": {},
}
_HEADINGS_ELEVENTH = {"hotel": {name: ("", (), (_HEADING_MORE,)) for name in HOTEL}}


def _mined(domain: str, lexicon: dict[str, Aspect]) -> dict[str, Aspect]:
    out = dict(lexicon)
    passes = (_MINED_ALL, _MINED[domain], _SECOND_ALL, _SECOND[domain], _THIRD_ALL, _THIRD[domain])
    later = (_FOURTH_ALL, _FOURTH[domain], _FIFTH_ALL, _FIFTH[domain], _SIXTH_ALL, _SIXTH[domain])
    # after the real-review audits
    audits = (
        _SEVENTH[domain], _EIGHTH[domain], _NINTH[domain], _TENTH[domain], _ELEVENTH[domain],
        _HEADINGS.get(domain, {}), _HEADINGS_ELEVENTH.get(domain, {}),
    )
    for table in (*passes, *later, *audits):
        for name, (terms, patterns, exclude) in table.items():
            if name in out:
                out[name] = _more(out[name], terms, patterns, exclude)
    if domain in ("food_delivery", "ecommerce"):
        # a merchant's manners, told by any of the domain's manners words: attitude, not service
        manners = "|".join([re.escape(t) for t in out["attitude"].terms] + list(out["attitude"].patterns))
        told = r"(?:" + _NICE + r"|人?(?:(?!服务)[^，]){0,6}?(?:" + manners + r"))"
        merchant = _MERCHANT + r"(?![^，]*(?:处理|解决|退|补|帮|赔))" + told + r"[^，]{0,3}$"
        out["service"] = _more(out["service"], exclude=(merchant,))
    return out


FOOD_DELIVERY = _mined("food_delivery", FOOD_DELIVERY)
ECOMMERCE = _mined("ecommerce", ECOMMERCE)
HOTEL = _mined("hotel", HOTEL)
SERVICE = _mined("service", SERVICE)

DOMAINS: dict[str, dict[str, Aspect]] = {
    "general": GENERAL,
    "food_delivery": FOOD_DELIVERY,
    "ecommerce": ECOMMERCE,
    "hotel": HOTEL,
    "service": SERVICE,
}


def lexicon(domain: str) -> dict[str, Aspect]:
    """A copy of a domain's lexicon (see :data:`DOMAINS`)."""
    from cxmetrics.errors import check_choice

    check_choice(domain, tuple(DOMAINS), "domain")
    return dict(DOMAINS[domain])
