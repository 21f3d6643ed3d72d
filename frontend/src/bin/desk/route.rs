//! The desk's pages as one typed route, from the URL hash (`#/case/12`,
//! `#/cases?queue=to_screen`). Pure (native tests).

use shared::desk::InboxQueue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// 待办
    Inbox,
    /// 事项 list, optionally one inbox queue.
    Cases(Option<InboxQueue>),
    /// One matter.
    Case(i64),
    /// 登记
    NewCase,
    /// 管理
    Admin,
    /// 统计
    Stats,
    /// 奖补
    Reward,
    /// 考核: the villages ranked for a year (this year when `None`).
    Assessment(Option<i32>),
    /// 考核 of one village for a year.
    Village(i64, Option<i32>),
    /// 通报: the monthly bulletin and the year summary.
    Bulletin,
    /// 代办员考评
    Appraisal,
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        let h = hash.strip_prefix('#').unwrap_or(hash);
        match h {
            "/new" => return Route::NewCase,
            "/admin" => return Route::Admin,
            "/stats" => return Route::Stats,
            "/reward" => return Route::Reward,
            "/bulletin" => return Route::Bulletin,
            "/appraisal" => return Route::Appraisal,
            "/cases" => return Route::Cases(None),
            _ => {}
        }
        if let Some(q) = h.strip_prefix("/cases?") {
            // Further filters (a figure's drill-down) are the list's: see [`list_params`].
            let queue =
                list_params(hash).into_iter().find(|(k, _)| k == "queue").and_then(|(_, v)| InboxQueue::parse(&v));
            return Route::Cases(queue.or_else(|| InboxQueue::parse(q.split('&').next().unwrap_or(q))));
        }
        let (path, _) = h.split_once('?').unwrap_or((h, ""));
        if let Some(rest) = path.strip_prefix("/assessment") {
            let year = list_params(hash).into_iter().find(|(k, _)| k == "year").and_then(|(_, v)| v.parse().ok());
            if rest.is_empty() {
                return Route::Assessment(year);
            }
            if let Some(id) = rest.strip_prefix('/').and_then(|id| id.parse().ok()) {
                return Route::Village(id, year);
            }
        }
        if let Some(id) = h.strip_prefix("/case/").and_then(|id| id.parse().ok()) {
            return Route::Case(id);
        }
        Route::Inbox
    }

    pub fn href(self) -> String {
        match self {
            Route::Inbox => "#/".to_string(),
            Route::Cases(None) => "#/cases".to_string(),
            Route::Cases(Some(q)) => format!("#/cases?queue={}", q.as_str()),
            Route::Case(id) => format!("#/case/{id}"),
            Route::NewCase => "#/new".to_string(),
            Route::Admin => "#/admin".to_string(),
            Route::Stats => "#/stats".to_string(),
            Route::Reward => "#/reward".to_string(),
            Route::Assessment(None) => "#/assessment".to_string(),
            Route::Assessment(Some(y)) => format!("#/assessment?year={y}"),
            Route::Village(id, None) => format!("#/assessment/{id}"),
            Route::Village(id, Some(y)) => format!("#/assessment/{id}?year={y}"),
            Route::Bulletin => "#/bulletin".to_string(),
            Route::Appraisal => "#/appraisal".to_string(),
        }
    }
}

/// The list's filters carried in the hash (`#/cases?stat=closed&unit_id=5`),
/// decoded: how a figure on 统计 opens the matters behind it.
pub fn list_params(hash: &str) -> Vec<(String, String)> {
    let Some((_, q)) = hash.split_once('?') else { return vec![] };
    q.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_string(), percent_decode(v))).collect()
}

/// The drill-down of one counter of a unit over a period of days.
pub fn drill_href(stat: &str, unit_id: i64, from: &str, to: &str) -> String {
    format!("#/cases?stat={}&unit_id={unit_id}&from={from}&to={to}", percent_encode(stat))
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() {
            let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(b[i + 1]) * 16 + hex(b[i + 2]));
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::Route;
    use shared::desk::InboxQueue;

    #[test]
    fn every_route_parses_back_from_its_href() {
        for r in [
            Route::Inbox,
            Route::Cases(None),
            Route::Cases(Some(InboxQueue::Escalated)),
            Route::Case(7),
            Route::NewCase,
            Route::Admin,
            Route::Stats,
            Route::Reward,
            Route::Assessment(None),
            Route::Assessment(Some(2025)),
            Route::Village(12, None),
            Route::Village(12, Some(2026)),
            Route::Bulletin,
            Route::Appraisal,
        ] {
            assert_eq!(Route::from_hash(&r.href()), r);
        }
        assert_eq!(Route::from_hash(""), Route::Inbox);
        assert_eq!(Route::from_hash("#/case/x"), Route::Inbox);
    }

    #[test]
    fn assessment_routes_carry_the_year() {
        assert_eq!(Route::from_hash("#/assessment"), Route::Assessment(None));
        assert_eq!(Route::from_hash("#/assessment?year=2025"), Route::Assessment(Some(2025)));
        assert_eq!(Route::from_hash("#/assessment?year=x"), Route::Assessment(None));
        assert_eq!(Route::from_hash("#/assessment/7?year=2026"), Route::Village(7, Some(2026)));
        assert_eq!(Route::Village(7, Some(2026)).href(), "#/assessment/7?year=2026");
        assert_eq!(Route::from_hash("#/assessment/x"), Route::Inbox);
        assert_eq!(Route::from_hash("#/assessmentx"), Route::Inbox);
        assert_eq!(Route::from_hash("#/bulletin"), Route::Bulletin);
        assert_eq!(Route::from_hash("#/appraisal"), Route::Appraisal);
    }

    #[test]
    fn a_figure_opens_the_list_with_its_filters() {
        let href = super::drill_href("channel:online", 5, "2026-01-01", "2026-03-31");
        assert_eq!(href, "#/cases?stat=channel%3Aonline&unit_id=5&from=2026-01-01&to=2026-03-31");
        assert_eq!(Route::from_hash(&href), Route::Cases(None));
        let p = super::list_params(&href);
        assert_eq!(p[0], ("stat".to_string(), "channel:online".to_string()));
        assert_eq!(p[1], ("unit_id".to_string(), "5".to_string()));
        assert_eq!(Route::from_hash("#/cases?queue=overdue&unit_id=3"), Route::Cases(Some(InboxQueue::Overdue)));
        assert_eq!(super::list_params("#/cases?queue=overdue&unit_id=3")[1].1, "3");
    }
}
