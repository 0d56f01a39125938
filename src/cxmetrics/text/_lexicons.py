"""Aspect lexicons per domain: the words that name each part of the experience, in context.

Each aspect has literal ``terms`` (substrings of the normalised clause), regular-expression
``patterns`` for mentions that need context, and ``exclude`` patterns: a term or pattern match
lying inside a match of an exclude pattern does not count. So "下单" alone names no aspect (it
is the act of ordering, "18点10分下单"), while "下单页面打不开" and "无法下单" name the app; in a
hotel, "味道" in a room is a smell (environment) unless food is named in the clause; "香" counts
for taste only in food phrases (香辣, 很香), never in 鸟语花香 or 香水.
"""

from __future__ import annotations

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


_FOOD = r"(?:早餐|早饭|餐厅|自助餐|菜|饭|吃|面包|包子|咖啡|牛奶|粥|面条|汤|饮料|水果)"
_ROOM = r"(?:房间|屋里|屋子|卫生间|厕所|浴室|被子|床单|楼道|走廊|大厅|大堂|电梯|车里|衣服|鞋)"
_SOON = r"很快就(?:坏|没|不|掉|破|裂|变|黑|凉|断|出现|用完)"  # "soon broke": not speed
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
        "好快 超快 真快 快速 及时 效率 等了 等太久 太久 迅速 准时 超时 提前 "
        "神速 麻利 拖拉 才到 就到了 隔天 第二天就 半个月 叫号"
    ),
    patterns=(
        r"[一二两三四五六七八九十半几\d]+(?:个)?(?:多)?(?:小时|分钟)(?:就|才)",
        r"(?:送|等|做|排)了[一二两三四五六七八九十半几\d]+个?多?(?:小时|分钟)",
        r"等了[一二两三四五六七八九十半几\d]",
        r"(?:送|办|修|到|出餐|处理|回复|发货|退款|办理|入住|退|到账)[^，]{0,2}(?:快|慢)",
        r"(?:快|慢)[^，]{0,1}(?:送|到)",
    ),
    exclude=(_SOON, r"快递", r"(?:很快|快速)(?:就)?(?:坏|没电|发烫)", r"(?:网速|网络)[^，]{0,2}(?:快|慢)"),
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
        "辣度 太甜 太厚 可口 油太大 爱吃 凉的 凉了 一般般"
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
        exclude=(r"^(?:下午|晚上|上午|中午)?[^，]{0,4}入住$", r"入住的是", r"来住"),
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
        (r"(?:换了|办了|办的)套餐",),
    ),
    "network": Aspect(
        "网络", _t("信号 网速 断网 宽带 掉线 通话 网络 WiFi wifi 连不上"), exclude=(r"(?:办了|装了)宽带",)
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
