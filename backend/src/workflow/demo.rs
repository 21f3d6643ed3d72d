//! Demo data for a new installation: Alxa League → Alxa Left Banner → two
//! townships with two villages each and a county department, agents of each
//! kind, and about thirty cases in various stages with Chinese and Mongolian
//! names. Loaded only into an empty database.

use crate::db::session::hash_password;
use crate::db::text::to_text;
use crate::db::{next_change_seq, now_text, Db, Tx};
use chrono::{Datelike, Duration, NaiveDate};
use shared::case::{Channel, Source, Stage, VisitMethod};
use shared::deadline::MatterLevel;
use shared::lifecycle::Lifecycle;
use shared::org::UnitKind;
use shared::routing::{ContentCategory, TaskGroup};
use sqlx::Row;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "daiban123";

/// Demo accounts: (username, display name, role, unit key, agent kind, full-time, registered, public employee).
type DemoUser = (&'static str, &'static str, &'static str, &'static str, Option<&'static str>, bool, bool, bool);
pub const DEMO_USERS: &[DemoUser] = &[
    ("wangge1", "巴特尔", "field_agent", "wlbh", Some("grid_worker"), false, true, false),
    ("wangge2", "李秀兰", "field_agent", "wlbh", Some("grid_worker"), false, true, false),
    ("cun1", "其其格", "field_agent", "byhd", Some("village_cadre"), false, true, false),
    ("cun2", "王建国", "field_agent", "jlt", Some("first_secretary"), false, true, true),
    ("cun3", "那仁高娃", "field_agent", "hthdg", Some("mediator"), false, true, false),
    ("zhen1", "张桂芳", "township_staff", "byht", Some("station_agent"), true, true, false),
    ("zhenld1", "额尔敦·巴雅尔", "township_leader", "byht", None, false, false, true),
    ("zhen2", "刘红", "township_staff", "jltz", Some("station_agent"), true, true, false),
    ("qi1", "斯琴·毕力格", "county_centre", "azq", None, false, false, true),
    ("meng1", "赵敏", "league_bureau", "als", None, false, false, true),
    // The competent departments' agency rooms (事权单位) answer 处置单.
    ("bm1", "王志刚", "township_staff", "zrzy", None, false, false, true),
    ("bm2", "乌日娜", "township_staff", "rsj", None, false, false, true),
    // 巴彦浩特镇自然资源组: its leader and a member.
    ("zyzld1", "图门·巴特", "township_leader", "byht-zy", None, false, false, true),
    ("zyz1", "高娃", "township_staff", "byht-zy", None, false, false, true),
    ("admin", "系统管理员", "admin", "als", None, false, false, false),
];

/// Units: (key, parent key, kind, name).
const UNITS: &[(&str, Option<&str>, &str, &str)] = &[
    ("als", None, "league", "阿拉善盟"),
    ("azq", Some("als"), "banner", "阿拉善左旗"),
    ("byht", Some("azq"), "township", "巴彦浩特镇"),
    ("jltz", Some("azq"), "township", "吉兰泰镇"),
    ("zrzy", Some("azq"), "department", "阿拉善左旗自然资源局"),
    ("rsj", Some("azq"), "department", "阿拉善左旗人力资源和社会保障局"),
    ("wlbh", Some("byht"), "village", "乌兰布和嘎查"),
    ("byhd", Some("byht"), "village", "巴彦霍德嘎查"),
    ("jlt", Some("jltz"), "village", "吉兰泰嘎查"),
    ("hthdg", Some("jltz"), "village", "哈图呼都格嘎查"),
];

/// The township task groups: (key, township key, group).
const TASK_GROUPS: &[(&str, &str, &str)] = &[
    ("byht-dq", "byht", "party_and_order"),
    ("byht-zy", "byht", "natural_resources"),
    ("byht-zf", "byht", "law_enforcement"),
    ("byht-ld", "byht", "labour_and_social_security"),
    ("byht-sq", "byht", "enterprises_and_construction"),
    ("byht-gq", "byht", "family_women_youth"),
    ("jltz-dq", "jltz", "party_and_order"),
    ("jltz-zy", "jltz", "natural_resources"),
    ("jltz-zf", "jltz", "law_enforcement"),
    ("jltz-ld", "jltz", "labour_and_social_security"),
    ("jltz-sq", "jltz", "enterprises_and_construction"),
    ("jltz-gq", "jltz", "family_women_youth"),
];

const CITIZENS: &[&str] = &[
    "孟和",
    "乌云其木格",
    "刘建军",
    "萨仁图雅",
    "陈淑芬",
    "布和·朝鲁",
    "赵德胜",
    "娜布其",
    "额尔德尼·宝音图",
    "周玉兰",
    "格日勒",
    "马永福",
    "图门吉日嘎拉",
    "高秀英",
    "苏德",
    "杨志强",
    "阿拉坦仓",
    "韩桂香",
    "包金山",
    "斯日古楞",
    "郭振华",
    "敖特根",
    "白玉梅",
    "哈斯·额尔敦",
    "田福生",
    "吉日木图",
    "孙丽萍",
    "宝力道",
    "吴海军",
    "查干",
];

const MATTERS: &[(&str, &str, &str)] = &[
    ("反映与邻户草场边界不清，多次发生牲畜越界纠纷，请求重新勘界。", "village", "neighbour_disputes"),
    ("2025年度禁牧补助资金至今未发放到户，请求核实并尽快发放。", "township", "grazing_ban"),
    ("家中饮水井水位下降出水不足，请求协调打新井或接通自来水。", "village", "water"),
    ("在工地务工被拖欠工资一万二千元，多次讨要未果。", "township", "employment"),
    ("母亲年满60周岁，城乡居民养老保险待遇未按时领取。", "township", "pension_insurance"),
    ("申请低保被告知不符合条件，对认定结果有异议。", "township", "civil_affairs"),
    ("通往牧点的砂石路被洪水冲毁，车辆无法通行。", "multi_department", "roads"),
    ("邻居新建棚圈占用公共通道，协商未果。", "village", "neighbour_disputes"),
    ("承包草场被划入生态保护红线，补偿标准不清楚。", "multi_department", "herding"),
    ("残疾人两项补贴停发三个月，请求查明原因。", "township", "disability"),
    ("嘎查集体经济收益分配不公开，请求公示账目。", "village", "collective_economy"),
    ("家庭婚姻矛盾激化，妇女权益受到侵害，请求调解。", "village", "marriage"),
    ("棚圈建设项目验收后补助款迟迟未到位。", "township", "herding"),
    ("征地补偿款分配存在争议，涉及多户牧民。", "major_complex", "land_expropriation"),
    ("孩子转学到镇中心校手续办理受阻。", "township", "education"),
];

fn village_of(i: usize) -> &'static str {
    ["wlbh", "byhd", "jlt", "hthdg"][i % 4]
}

fn agents_of(village: &str) -> &'static [&'static str] {
    match village {
        "wlbh" => &["wangge1", "wangge2"],
        "byhd" => &["cun1"],
        "jlt" => &["cun2"],
        _ => &["cun3"],
    }
}

/// Loads the demo data if the database has no units yet. Returns whether it did.
pub async fn load_if_empty(db: &Db, today: NaiveDate) -> anyhow::Result<bool> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM units").fetch_one(&db.pool).await?.try_get(0)?;
    if n > 0 {
        return Ok(false);
    }
    let mut tx = db.begin_write().await?;
    load(&mut tx, today).await?;
    tx.commit().await?;
    Ok(true)
}

/// Inserts a unit under `parent` (its id and path); returns its id and path.
async fn insert_unit(
    tx: &mut Tx,
    parent: Option<(i64, &str)>,
    kind: &str,
    name: &str,
    task_group: Option<TaskGroup>,
    nth: usize,
) -> anyhow::Result<(i64, String)> {
    // Insert with a placeholder path, then set the real one from the id.
    let id: i64 = sqlx::query(
        "INSERT INTO units (parent_id, kind, name, path, office_phone, task_group) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(parent.map(|p| p.0))
    .bind(kind)
    .bind(name)
    .bind(format!("pending:{nth}"))
    // A fictitious office line of Alxa Left Banner (area code 0483).
    .bind(format!("0483-83{:05}", 10_000 + nth * 1_111))
    .bind(task_group.map(|g| g.as_str()))
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let path = match parent {
        Some((_, p)) => format!("{p}{id}/"),
        None => format!("/{id}/"),
    };
    sqlx::query("UPDATE units SET path = $1 WHERE id = $2").bind(&path).bind(id).execute(&mut **tx).await?;
    Ok((id, path))
}

async fn load(tx: &mut Tx, today: NaiveDate) -> anyhow::Result<()> {
    let mut unit_ids = std::collections::HashMap::new();
    let mut unit_paths: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for (key, parent, kind, name) in UNITS {
        let parent = parent.map(|p| (unit_ids[p], unit_paths[p].as_str()));
        let (id, path) = insert_unit(tx, parent, kind, name, None, unit_ids.len()).await?;
        unit_ids.insert(*key, id);
        unit_paths.insert(key, path);
    }
    // Each township's six 代办专班组 (seed 001 附件1).
    for (key, township, group) in TASK_GROUPS {
        let group = TaskGroup::parse(group).expect("demo task group");
        let township_name = UNITS.iter().find(|u| u.0 == *township).map_or("", |u| u.3);
        let name = format!("{township_name}{}", group.label());
        let parent = Some((unit_ids[township], unit_paths[township].as_str()));
        let (id, path) = insert_unit(tx, parent, "task_group", &name, Some(group), unit_ids.len()).await?;
        unit_ids.insert(*key, id);
        unit_paths.insert(key, path);
    }

    // Every demo account shares one password, so hash it once.
    let hash = hash_password(DEMO_PASSWORD);
    let mut user_ids = std::collections::HashMap::new();
    for (i, (username, name, role, unit, kind, full_time, registered, public_employee)) in DEMO_USERS.iter().enumerate()
    {
        let id: i64 = sqlx::query(
            "INSERT INTO users (username, password_hash, display_name, role, unit_id, phone, agent_kind, full_time, registered, public_employee) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(*username)
        .bind(&hash)
        .bind(*name)
        .bind(*role)
        .bind(unit_ids[unit])
        .bind(format!("1394830{:04}", 2100 + i))
        .bind(*kind)
        .bind(i64::from(*full_time))
        .bind(i64::from(*registered))
        .bind(i64::from(*public_employee))
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
        user_ids.insert(*username, id);
    }

    let calendar = crate::db::calendar::current();
    let cal = &*calendar;
    let stages = [
        Stage::Screening,
        Stage::Handling,
        Stage::Handling,
        Stage::Handling,
        Stage::Handling,
        Stage::Feedback,
        Stage::FollowUp,
        Stage::Archived,
    ];
    let channels = [Channel::Visit, Channel::Online, Channel::Online, Channel::Phone, Channel::Letter, Channel::Online];
    let year = chrono::Datelike::year(&today);
    for (i, citizen) in CITIZENS.iter().enumerate() {
        let (summary, level, category) = MATTERS[i % MATTERS.len()];
        let category = ContentCategory::parse(category).expect("demo category");
        let level = MatterLevel::parse(level).expect("demo level");
        let village = village_of(i);
        let stage = stages[i % stages.len()];
        let accepted_on = today - Duration::days(((i * 7) % 38) as i64 + if stage == Stage::Archived { 40 } else { 0 });
        let due = level.due_date(cal, accepted_on);
        let agents = agents_of(village);
        let agent = if stage == Stage::Screening { None } else { Some(user_ids[agents[i % agents.len()]]) };
        let found_by_screening = i % 3 == 0;
        let unit_id = if level == MatterLevel::Township && i % 5 == 1 { unit_ids["byht"] } else { unit_ids[village] };
        let seq = next_change_seq(tx).await?;
        let group = (i % 6) + 1;
        let handling =
            if unit_id == unit_ids[village] { UnitKind::Village } else { UnitKind::Township }.handling_level();
        let lifecycle = Lifecycle::from_stage(stage, handling);
        let case_id: i64 = sqlx::query(
            "INSERT INTO cases (number, unit_id, citizen_name, phone, address, summary, stage, level, channel, accepted_on, due_on, due_unscheduled, agent_id, rev, created_at, \
             status, lifecycle, handling_level, source, category, task_group, id_number, registered_by, query_code, unit_path) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, \
             (SELECT path FROM units WHERE id = $2)) RETURNING id",
        )
        .bind(shared::case::case_number(shared::case::CASE_NUMBER_PREFIX, year, i as i64 + 1))
        .bind(unit_id)
        .bind(*citizen)
        .bind(format!("13{}{:08}", 5 + i % 4, 47_210_000 + i * 7919))
        .bind(format!("阿拉善左旗{}{}组", unit_name(village), ["一", "二", "三", "四", "五", "六"][group - 1]))
        .bind(summary)
        .bind(stage.as_str())
        .bind(level.as_str())
        .bind(channels[i % channels.len()].as_str())
        .bind(accepted_on.to_string())
        .bind(due.value.to_string())
        .bind(i64::from(due.unscheduled))
        .bind(agent)
        .bind(seq)
        .bind(now_text())
        .bind(lifecycle.status.as_str())
        .bind(serde_json::to_string(&lifecycle)?)
        .bind(to_text(&lifecycle.level))
        .bind(if found_by_screening { Source::Screening } else { Source::Citizen }.as_str())
        .bind(category.as_str())
        .bind(to_text(&category.task_group()))
        .bind(demo_id_number(i))
        // A matter found by screening (排查) was registered by the village's
        // agent, who may screen it (shared::authority); the others came to the
        // station.
        .bind(found_by_screening.then(|| user_ids[agents[i % agents.len()]]))
        .bind(crate::db::new_query_code())
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
        // The demo's matters past screening were screened in time, and those
        // past handling closed in time (fiction, like the rest of the demo);
        // then they count in the statistics like any matter.
        sqlx::query(
            "UPDATE cases SET screened_in_time = CASE WHEN stage = 'screening' THEN NULL ELSE 1 END, \
             closed_in_time = CASE WHEN stage IN ('feedback', 'follow_up', 'archived') THEN 1 ELSE NULL END WHERE id = $1",
        )
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
        crate::workflow::counters::changed(tx, case_id, None, None)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.0.message))?;

        // Cases past screening have a first visit by their agent.
        if let Some(agent) = agent {
            let seq = next_change_seq(tx).await?;
            let visited = accepted_on + Duration::days(1);
            let method = VisitMethod::ALL[i % 3];
            sqlx::query(
                "INSERT INTO visits (id, case_id, visited_at, method, note, recorded_by, created_at, rev) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(format!("00000000-0000-4000-8000-{:012}", i + 1))
            .bind(case_id)
            .bind(format!("{visited}T10:30"))
            .bind(method.as_str())
            .bind(format!("{}了解情况，{}表示同意由代办员代为办理，已填写代办单。", method.label(), citizen))
            .bind(agent)
            .bind(now_text())
            .bind(seq)
            .execute(&mut **tx)
            .await?;
            sqlx::query("UPDATE cases SET rev = $1 WHERE id = $2").bind(seq).bind(case_id).execute(&mut **tx).await?;
        }
    }

    // The year's assessment records the township stations entered so far
    // (seed 001 附件7), so 考核 shows villages apart from the start.
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    for (village, clerk, kind, item, persons, days, note) in DEMO_ASSESSMENT {
        let on = (year_start + Duration::days(*days)).min(today);
        sqlx::query(
            "INSERT INTO assessment_entries (unit_id, unit_path, year, kind, item, persons, occurred_on, note, \
             entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(unit_ids[village])
        .bind(&unit_paths[village])
        .bind(i64::from(on.year()))
        .bind(*kind)
        .bind(*item)
        .bind(*persons)
        .bind(on.to_string())
        .bind(*note)
        .bind(user_ids[clerk])
        .bind(now_text())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Demo assessment records: (village, clerk, kind, item, person-times, day
/// of the year, note).
type DemoRecord = (&'static str, &'static str, &'static str, Option<&'static str>, i64, i64, &'static str);
const DEMO_ASSESSMENT: &[DemoRecord] = &[
    ("wlbh", "zhen1", "organisation", Some("team"), 1, 20, "代办员队伍 3 人，分工见嘎查代办工作职责表"),
    ("wlbh", "zhen1", "organisation", Some("head"), 1, 20, "嘎查党支部书记任代办工作第一责任人"),
    ("wlbh", "zhen1", "organisation", Some("leader"), 1, 20, "明确嘎查副主任分管"),
    ("wlbh", "zhen1", "organisation", Some("staff"), 1, 20, "网格员巴特尔负责日常登记"),
    ("wlbh", "zhen1", "organisation", Some("office"), 1, 20, "党群服务中心设代办窗口，标识齐全"),
    ("wlbh", "zhen1", "rules", Some("meeting"), 1, 45, "3 月召开代办工作专题会议"),
    ("wlbh", "zhen1", "rules", Some("training"), 1, 60, "参加镇代办员培训 2 次"),
    ("wlbh", "zhen1", "rules", Some("ledger"), 1, 30, "代办事项台账规范"),
    ("wlbh", "zhen1", "writeup_reported", None, 1, 120, "《草场纠纷“三到场”调处法》"),
    ("wlbh", "zhen1", "writeup_adopted", None, 1, 150, "《草场纠纷“三到场”调处法》被旗信访局采纳"),
    ("wlbh", "zhen1", "timely_warning", None, 1, 200, "提前预警禁牧补贴集体诉求，已就地化解"),
    ("byhd", "zhen1", "organisation", Some("team"), 1, 25, "代办员 2 人"),
    ("byhd", "zhen1", "organisation", Some("head"), 1, 25, "嘎查书记负总责"),
    ("byhd", "zhen1", "rules", Some("ledger"), 1, 40, "建立代办台账"),
    ("byhd", "zhen1", "over_level", Some("city"), 1, 180, "信访人因补偿款到盟信访局上访 1 人次"),
    ("jlt", "zhen2", "organisation", Some("team"), 1, 30, "代办员队伍稳定"),
    ("jlt", "zhen2", "organisation", Some("office"), 1, 30, "设代办窗口"),
    ("jlt", "zhen2", "rules", Some("training"), 1, 70, "参加培训"),
    ("hthdg", "zhen2", "organisation", Some("team"), 1, 30, "代办员队伍稳定"),
    ("hthdg", "zhen2", "major_resolved", Some("years_unresolved"), 1, 160, "化解一起十年草场边界纠纷"),
];

fn unit_name(key: &str) -> &'static str {
    UNITS.iter().find(|u| u.0 == key).map_or("", |u| u.3)
}

/// A valid (checksummed by `shared`) but fictitious ID number for demo
/// citizen `i`, registered in Alxa Left Banner (152921).
fn demo_id_number(i: usize) -> String {
    let body =
        format!("152921{}{:02}{:02}{:03}", 1950 + (i * 7) % 50, 1 + i % 12, 1 + (i * 3) % 28, 100 + i * 17 % 800);
    let check = shared::validation::id_check_char(&body).expect("17 digits");
    format!("{body}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_id_numbers_are_valid() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        for i in 0..CITIZENS.len() {
            let id = demo_id_number(i);
            assert!(shared::validation::IdNumber::parse(&id, today).is_ok(), "{id}");
        }
        for name in CITIZENS {
            assert!(shared::validation::PersonName::parse(name).is_ok(), "{name}");
        }
    }
}
