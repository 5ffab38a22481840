//! Pools of realistic Chinese names, phone numbers and tags for seeded data.

use fastrand::Rng;

/// Surnames weighted roughly by how common they are (first ones most).
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "武", "戴", "孔",
];

/// Rarer surnames with special readings, mixed in so lookups meet them.
const RARE_SURNAMES: &[&str] = &[
    "单", "解", "区", "仇", "欧阳", "司马", "上官", "查", "盖", "翟",
];

const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "建国", "建华", "国强", "志强", "志刚", "海涛", "永刚", "春雷", "红军", "卫东", "振华", "立新",
    "文博", "浩然", "子轩", "宇航", "俊杰", "明远", "德华", "庆丰", "长青", "石油", "胜利", "东升",
];

const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂英", "玉兰", "秀兰", "丽华", "淑珍",
    "婷婷", "雪梅", "海燕", "红梅", "晓燕", "春梅", "美玲", "欣怡", "梓涵", "雨桐", "思琪", "佳怡",
    "慧敏", "丹丹", "莉莉", "秀珍", "凤英", "金凤", "翠花", "素梅",
];

pub const RESIDENT_TAGS: &[&str] = &[
    "老年人",
    "独居老人",
    "残疾人",
    "低保户",
    "党员",
    "退役军人",
    "流动人口",
    "空巢",
    "重点关注",
];

pub const MEMBER_TAGS: &[&str] = &["流动", "协解", "家属", "复转军人", "在职", "退休"];

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "186", "187",
    "188", "189", "199",
];

pub fn surname(rng: &mut Rng) -> &'static str {
    if rng.u32(0..100) < 3 {
        return RARE_SURNAMES[rng.usize(..RARE_SURNAMES.len())];
    }
    // Skew towards the common end: min of two draws.
    let i = rng.usize(..SURNAMES.len()).min(rng.usize(..SURNAMES.len()));
    SURNAMES[i]
}

pub fn given(rng: &mut Rng, female: bool) -> &'static str {
    let pool = if female { GIVEN_FEMALE } else { GIVEN_MALE };
    pool[rng.usize(..pool.len())]
}

pub fn person(rng: &mut Rng, surname: &str, female: bool) -> String {
    format!("{surname}{}", given(rng, female))
}

pub fn mobile(rng: &mut Rng) -> String {
    let p = MOBILE_PREFIXES[rng.usize(..MOBILE_PREFIXES.len())];
    format!("{p}{:08}", rng.u32(0..100_000_000))
}

/// A landline in the oilfield's area code (东营 0546).
pub fn landline(rng: &mut Rng) -> String {
    format!("0546-8{:06}", rng.u32(0..1_000_000))
}

pub fn pick<'a>(rng: &mut Rng, pool: &[&'a str]) -> &'a str {
    pool[rng.usize(..pool.len())]
}
