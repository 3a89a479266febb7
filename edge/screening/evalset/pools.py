"""Name material for the labelled evaluation set: heads of common names and parts to compose from.

Real name distributions are long-tailed over large spaces, so each family has a head of common
whole names (drawn Zipf-like: namesakes of listed people are common) and parts from which the
tail is composed the way such names are formed: Korean given names from two syllables, Chinese
given names from one or two of thousands of characters (GB2312 level 1, the 3,755 commonest),
Japanese names from kanji with name readings, Russian surnames from stems with -OV/-EV/-IN/-SKY
and patronymics from the father's name, Arabic names from given, father's and grandfather's
names plus a family name.
"""

from __future__ import annotations

import logging
from functools import lru_cache

logger = logging.getLogger(__name__)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


KR_GIVEN = _words(
    "민준 서준 도윤 예준 시우 하준 지호 주원 지후 준서 서연 서윤 지우 서현 민서 하은 하윤 윤서 "
    "지유 지민 영수 영호 영철 정훈 성민 현우 지훈 동현 민수 은지 수진 미영 혜진 지영 은영 현정 "
    "수연 지현 민지 유진 상훈 재현 승민 태양 경숙 순자 옥순 명수 광수"
)
KR_SYLLABLES = _words(
    "민 준 서 연 지 현 수 영 진 우 호 성 은 혜 유 하 윤 도 예 시 주 재 승 태 동 경 상 정 희 미 "
    "소 다 나 채 원 규 석 철 훈 빈 용 선 혁 한 아 리 율 건 찬 범 기 환 광 숙 순 옥 자 남 인 균 "
    "형 종 명 창 병 덕 혜 보 은 효 세 완 식 일 재 태 웅 진 봉 길 만 춘 화 란 애 향 숙 정 근 택 "
    "석 섭 열 익 준 호 현 희 하 린 람 솔 별 담 온 결 겸 률 헌 탁 필 표 훈 휘 승 운 욱 국 권 "
    "관 극 란 련 량 려 로 록 룡 류 륜 마 모 목 문 미 밀 배 백 벽 복 부 분 비 사 산 삼 색 생"
)
CN_SURNAMES = _words(
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 罗 高 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 "
    "彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 "
    "廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 "
    "严 覃 武 欧阳 戴 莫 孔 向 汤 常 温 康 施 文 牛 樊 葛 邢 安 齐 易 乔 伍 庞 颜 倪 庄 聂 章 鲁 "
    "岳 翟 殷 詹 申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符 舒 阮 柯 纪 梅 童 凌 毕 单 季 裴 霍"
)
CN_GIVEN_HEAD = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建华 建国 志强 小明 晓东 "
    "海燕 文 斌 宇 浩 凯 鹏 华 红 玉兰 春梅 国华 立新 子涵 梓轩 雨桐 欣怡 一诺 浩然 思远 嘉怡 俊杰"
)
CN_GIVEN_CHARS = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 英 霞 平 刚 桂 华 国 志 小 晓 东 海 燕 "
    "文 斌 宇 浩 凯 鹏 红 玉 兰 春 梅 立 新 子 涵 梓 轩 雨 桐 欣 怡 一 诺 然 思 远 嘉 俊 晨 琳 婷 "
    "雪 慧 颖 鑫 辉 亮 宁 健 峰 佳 瑞 博 昊 哲 悦 建 德 成 荣 庆 玲 云 飞 龙 林 波 鸿 婉 萍 翠 莉 "
    "倩 彤 欢 琪 晶 楠 阳 帆 豪 睿 泽 宏"
)
RU_SURNAMES = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков "
    "Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин "
    "Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов "
    "Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв "
    "Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов "
    "Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников "
    "Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов "
    "Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов "
    "Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов"
)
# Surname stems (occupations, animals, places, nicknames, given names) for -ов/-ев/-ин/-ский.
RU_STEMS = _words(
    "Кузнец Мельник Гончар Плотник Рыбак Пастух Бондар Токар Столяр Сапожник Кожевник Пекар "
    "Волк Медвед Сокол Орл Ворон Голуб Журавл Лебед Гус Зайц Лис Бобр Соболь Ёрш Щук Карас "
    "Белк Котл Баран Бык Козл Коров Петух Дроздь Снегир Синиц Чиж Щегл Грач Скворц Сорок "
    "Берёз Дуб Лип Клён Сосн Ельц Кедр Рябин Калин Малин Вишн Яблок Груш Орех Жёлуд "
    "Камен Песк Глин Болот Озер Рек Лес Пол Гор Холм Луг Ключ Бор Мост Двор Сад "
    "Бел Черн Красн Сер Рыж Седл Лыс Глух Слеп Хром Тих Смел Добр Весел Мал Больш Толст Длин "
    "Иван Пётр Павл Сидор Семён Фёдор Гаврил Данил Кирилл Макар Никит Тимофе Степан Игнат Лук "
    "Фом Ерём Осип Прохор Савел Тарас Трофим Харитон Филат Евдоким Мирон Нестор Панкрат Родион "
    "Арсен Климент Аким Анисим Вавил Герасим Демид Елисе Зинов Игнать Кондрат Ларион Матве Назар "
    "Остров Новгород Тверск Рязан Смоленск Вязем Калуж Брянск Курск Орлов Тульск Пензен Самар"
)
RU_GIVEN_M = _words(
    "Александр Дмитрий Максим Сергей Андрей Алексей Артём Илья Кирилл Михаил Никита Матвей Роман "
    "Егор Арсений Иван Денис Евгений Даниил Тимофей Владислав Игорь Владимир Павел Руслан Марк "
    "Константин Тимур Олег Ярослав Антон Николай Глеб Данила Савелий Вадим Степан Юрий Богдан "
    "Артур Виктор Виталий Валерий Василий Геннадий Григорий Леонид Анатолий Борис Пётр Фёдор "
    "Семён Станислав Эдуард Ростислав Вячеслав Аркадий Георгий Лев Филипп Захар Мирон Платон "
    "Всеволод Святослав Вениамин Герман Тарас Остап Назар Ерлан Нурлан Асхат Бауыржан Даурен"
)
RU_GIVEN_F = _words(
    "Анастасия Мария Анна Виктория Екатерина Наталья Марина Полина Дарья Алина Ирина Елена Юлия "
    "Ольга Татьяна Светлана Ксения Александра Елизавета Валерия Вероника Софья Людмила Галина Яна "
    "Надежда Любовь Вера Евгения Маргарита Алёна Кристина Оксана Лариса Нина Тамара Зоя Раиса "
    "Валентина Василиса Ульяна Милана Злата Арина Есения Таисия Алия Айгерим Динара Жанна"
)
AR_GIVEN_M = (
    ("MOHAMMED", "MUHAMMAD", "MOHAMED", "MOHAMMAD", "MUHAMMED"), ("AHMED", "AHMAD"),
    ("ALI",), ("HUSSEIN", "HUSSAIN", "HUSEIN", "HOSSEIN"), ("HASSAN", "HASAN"),
    ("YOUSSEF", "YOUSEF", "YUSUF", "YOUSUF"), ("ABDULLAH", "ABDALLAH"), ("OMAR", "UMAR"),
    ("IBRAHIM", "EBRAHIM"), ("KHALID", "KHALED"), ("MUSTAFA", "MOSTAFA", "MUSTAPHA"),
    ("MAHMOUD", "MAHMUD"), ("ABDUL RAHMAN", "ABDULRAHMAN", "ABDEL RAHMAN", "ABDURRAHMAN"),
    ("SALEH", "SALIH"), ("OTHMAN", "OSMAN", "UTHMAN"), ("TARIQ", "TAREK", "TARIK"),
    ("KARIM", "KAREEM"), ("JAMAL", "GAMAL"), ("NASSER", "NASIR"), ("WALID", "WALEED"),
    ("SAMIR", "SAMEER"), ("BILAL",), ("HAMZA", "HAMZAH"), ("ZIAD", "ZIYAD"), ("RASHID", "RASHEED"),
    ("FAISAL", "FAYSAL", "FEISAL"), ("SALMAN", "SALMAAN"), ("ADNAN",), ("BASSAM", "BASAM"),
    ("HISHAM", "HESHAM"), ("ANWAR", "ANOUAR"), ("AMJAD",), ("AYMAN", "AIMAN"), ("BAKR", "BAKER"),
    ("FAHD", "FAHAD"), ("FARID", "FAREED"), ("FAROUK", "FARUQ", "FAROOQ"), ("GHASSAN",),
    ("HAMID", "HAMEED"), ("HATEM", "HATIM"), ("IDRIS", "IDREES"), ("ISMAIL", "ISMAEL"),
    ("JABER", "JABIR"), ("JAWAD", "JAWAAD"), ("KAMAL", "KEMAL"), ("MAHER", "MAHIR"),
    ("MAJID", "MAJEED", "MAJED"), ("MANSOUR", "MANSUR"), ("MARWAN",), ("MOUNIR", "MUNIR"),
    ("MURAD", "MOURAD"), ("NABIL", "NABEEL"), ("NADER", "NADIR"), ("NAJIB", "NAJEEB"),
    ("QASIM", "KASSEM", "QASSIM"), ("RAED", "RAID"), ("RAMI", "RAMY"), ("RIYAD", "RIAD"),
    ("SAAD", "SAUD"), ("SABER", "SABIR"), ("SAMI", "SAMY"), ("SHADI", "SHADY"), ("SULEIMAN", "SULAYMAN", "SOLIMAN"),
    ("TAHA",), ("TAMER", "TAMIR"), ("WAEL", "WAIL"), ("YASSER", "YASIR"), ("YAHYA", "YEHIA"),
    ("ZAKARIA", "ZAKARIYA"), ("ZAID", "ZAYD"), ("ABBAS",), ("AKRAM",), ("AMIN", "AMEEN"),
    ("ASHRAF",), ("AZIZ", "AZEEZ"), ("EMAD", "IMAD"), ("ESSAM", "ISSAM"), ("HAIDER", "HAIDAR"),
    ("HAMDI", "HAMDY"), ("JALAL",), ("KHALIL",), ("LUTFI", "LOTFI"), ("MAZEN", "MAZIN"),
    ("MUNTHER", "MONDHER"), ("NIZAR",), ("OSAMA", "USAMA"), ("RAFIQ", "RAFIK"), ("SAIF", "SEIF"),
)  # fmt: skip
AR_GIVEN_F = (
    ("FATIMA", "FATIMAH", "FATMA"), ("AISHA", "AYESHA", "AICHA"), ("MARIAM", "MARYAM"),
    ("ZAINAB", "ZEINAB"), ("KHADIJA", "KHADIJAH"), ("NOUR", "NOOR"), ("LAYLA", "LEILA"),
    ("AMINA", "AMEENA"), ("HALA",), ("HANAN",), ("HUDA", "HODA"), ("IMAN", "EMAN"),
    ("JAMILA", "JAMEELA"), ("LINA", "LEENA"), ("MONA", "MUNA"), ("NADIA", "NADIYA"),
    ("RANIA", "RANYA"), ("SALMA",), ("SAMIRA", "SAMEERA"), ("SARA", "SARAH"), ("WAFAA", "WAFA"),
    ("YASMIN", "YASMINE", "JASMIN"), ("ZAHRA", "ZAHRAA"), ("RIM", "REEM"), ("DINA", "DEENA"),
)  # fmt: skip
AR_FAMILY = (
    ("AL-HASSAN", "ALHASSAN", "EL HASSAN", "HASSAN"), ("AL-SAYED", "EL-SAYED", "ELSAYED", "SAYED"),
    ("AL-RASHID", "AL RASHID", "ALRASHID", "RASHID"), ("AL-AHMAD", "AL AHMED", "ALAHMAD"),
    ("HADDAD",), ("KHOURY", "KHOURI", "KHURI"), ("MANSOUR", "MANSUR"), ("NASSAR", "NASAR"),
    ("SALEH", "SALIH"), ("AL-AMIN", "EL AMIN", "ALAMIN"), ("ABDULLAH", "ABDALLAH"),
    ("HAMDAN",), ("QURESHI", "QURAISHI", "KURESHI"), ("SIDDIQUI", "SIDDIKI"),
    ("AL-MASRI", "EL MASRI", "ALMASRI"), ("AL-HAKIM", "EL HAKIM", "ALHAKIM"), ("YOUSEF", "YUSUF"),
    ("AZIZ",), ("KHAN",), ("RAHMAN", "REHMAN"), ("HOSSAIN", "HUSSAIN", "HOSSEIN"), ("OMAR", "UMAR"),
    ("AL-FARSI", "ALFARSI"), ("BAKR", "BAKER"), ("SHARIF", "SHARIEF", "SHAREEF"),
    ("AL-QAHTANI", "ALQAHTANI", "QAHTANI"), ("AL-OTAIBI", "ALOTAIBI", "OTAIBI"),
    ("AL-GHAMDI", "ALGHAMDI", "GHAMDI"), ("AL-ZAHRANI", "ALZAHRANI", "ZAHRANI"),
    ("AL-SHAMMARI", "ALSHAMMARI", "SHAMMARI"), ("AL-DOSARI", "ALDOSARI", "DOSARI"),
    ("AL-HARBI", "ALHARBI", "HARBI"), ("AL-MUTAIRI", "ALMUTAIRI", "MUTAIRI"),
    ("AL-JABOURI", "ALJABOURI", "JUBOURI"), ("AL-TIKRITI", "TIKRITI"), ("AL-BAGHDADI", "BAGHDADI"),
    ("AL-HALABI", "HALABI"), ("AL-SHAMI", "SHAMI"), ("AL-ANSARI", "ANSARI"), ("AL-TAMIMI", "TAMIMI"),
    ("HIJAZI", "HEGAZY", "HIJAZY"), ("AWAD", "AWWAD"), ("BARAKAT",), ("DARWISH", "DERWICHE"),
    ("FARAH",), ("GHANEM", "GHANIM"), ("HABIB", "HABEEB"), ("ISSA", "ESSA"), ("JABER", "JABIR"),
    ("KHALIFA", "KHALIFEH"), ("MAALOUF", "MALOUF"), ("NAJJAR", "NAGGAR"), ("OBEID", "UBAID"),
    ("QASSEM", "KASSEM"), ("SABBAGH", "SABAGH"), ("SHAHIN", "SHAHEEN"), ("TAHA",), ("ZAYED", "ZAYID"),
    ("AL-KUBAISI", "KUBAISI"), ("AL-NUAIMI", "NUAIMI"), ("AL-SHEIKH", "ALSHEIKH", "EL SHEIKH"),
    ("CHAUDHRY", "CHAUDHARY", "CHOUDHRY"), ("MALIK",), ("BUTT",), ("MIRZA",), ("AKHTAR",),
    ("HASHMI", "HASHEMI"), ("JAVED", "JAVAID"), ("IQBAL",), ("SHAIKH", "SHEIKH"), ("SYED", "SAYYID"),
)  # fmt: skip
WESTERN_SURNAMES = _words(
    "SMITH JOHNSON WILLIAMS BROWN JONES MILLER DAVIS GARCIA RODRIGUEZ WILSON MARTINEZ ANDERSON "
    "TAYLOR THOMAS HERNANDEZ MOORE MARTIN JACKSON THOMPSON WHITE LOPEZ LEE GONZALEZ HARRIS CLARK "
    "LEWIS ROBINSON WALKER PEREZ HALL YOUNG ALLEN SANCHEZ WRIGHT KING SCOTT GREEN BAKER ADAMS "
    "NELSON HILL RAMIREZ CAMPBELL MITCHELL ROBERTS CARTER PHILLIPS EVANS TURNER TORRES PARKER "
    "COLLINS EDWARDS STEWART FLORES MORRIS NGUYEN MURPHY RIVERA COOK ROGERS MORGAN PETERSON "
    "COOPER REED BAILEY BELL GOMEZ KELLY HOWARD WARD COX DIAZ RICHARDSON WOOD WATSON BROOKS "
    "BENNETT GRAY MULLER SCHMIDT SCHNEIDER FISCHER WEBER MEYER WAGNER BECKER SCHULZ HOFFMANN "
    "DUBOIS MOREAU LAURENT SIMON MICHEL LEFEBVRE ROSSI RUSSO FERRARI ESPOSITO BIANCHI ROMANO "
    "COLOMBO SILVA SANTOS OLIVEIRA SOUZA PEREIRA COSTA FERREIRA ALMEIDA NOWAK KOWALSKI WISNIEWSKI"
)
# Western surnames are not composed, but the tail is: -SON/-SEN patronyms, occupations,
# places and Germanic/Romance compounds give tens of thousands of rare names.
WESTERN_FIRST = _words(
    "AND ARN BAR BER BLACK BRAND BROCK BURN CALD CAR CHAD CRAN DAL DEN DUN EL FAIR FAL FEN "
    "FORD GAR GLAD GOLD GRAN GREEN HAL HAR HART HAY HOL KEN KIRK LAN LIND MAR MER MIL MOR NOR "
    "OAK PEN RAD RAN RED ROSS RUD SAND SHER STAN STEIN STOCK STRAT THORN TOWN WAL WEST WIN WOOD "
    "BERG BRUN FELD FRANK HAM HEIN HOF KAUF KRAUS LANG LICHT LOW NEU RICHT ROS SCHWARZ WEISS ZIM"
)
WESTERN_LAST = _words(
    "TON LEY WOOD FIELD FORD WELL BURY HAM STONE BROOK WORTH MORE DALE WICK SON SEN MAN "
    "STEIN BERG FELD MANN HOFF BACH DORF HARDT WALD INGER LER NER ETTI ELLI INI ARI OTTI"
)
WESTERN_GIVEN = _words(
    "JAMES JOHN ROBERT MICHAEL WILLIAM DAVID RICHARD JOSEPH THOMAS CHARLES CHRISTOPHER DANIEL "
    "MATTHEW ANTHONY MARK DONALD STEVEN PAUL ANDREW JOSHUA KENNETH KEVIN BRIAN GEORGE TIMOTHY "
    "RONALD EDWARD JASON JEFFREY RYAN JACOB GARY NICHOLAS ERIC JONATHAN STEPHEN LARRY JUSTIN MARY "
    "PATRICIA JENNIFER LINDA ELIZABETH BARBARA SUSAN JESSICA SARAH KAREN LISA NANCY BETTY MARGARET "
    "SANDRA ASHLEY KIMBERLY EMILY DONNA MICHELLE CAROL AMANDA MELISSA DEBORAH STEPHANIE HANS PETER "
    "KLAUS JEAN PIERRE MARIE ANNE LUCA MARCO GIULIA JOAO ANA MARIA PIOTR ANNA JAN EVA FRANCESCO "
    "ALESSANDRO LORENZO MATTEO SOFIA CHIARA FELIX LUKAS JONAS LEON EMMA HANNAH LENA LAURA CAMILLE "
    "LOUIS HUGO GABRIEL LEA CHLOE MANON PEDRO MIGUEL CARLOS JOSE LUIS JAVIER LUCIA CARMEN ISABEL "
    "OLIVER HARRY JACK CHARLIE OSCAR GEORGIA OLIVIA AMELIA ISLA AVA FREYA ERIK LARS SVEN INGRID"
)


@lru_cache(maxsize=1)
def gb2312_level1() -> tuple[str, ...]:
    """The 3,755 commonest Chinese characters (GB2312 level 1), from the standard codec."""
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return tuple(chars)
