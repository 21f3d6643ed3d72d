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
    /// 奖补
    Reward,
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        let h = hash.strip_prefix('#').unwrap_or(hash);
        match h {
            "/new" => return Route::NewCase,
            "/admin" => return Route::Admin,
            "/reward" => return Route::Reward,
            "/cases" => return Route::Cases(None),
            _ => {}
        }
        if let Some(q) = h.strip_prefix("/cases?queue=") {
            return Route::Cases(InboxQueue::parse(q));
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
            Route::Reward => "#/reward".to_string(),
        }
    }
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
            Route::Reward,
        ] {
            assert_eq!(Route::from_hash(&r.href()), r);
        }
        assert_eq!(Route::from_hash(""), Route::Inbox);
        assert_eq!(Route::from_hash("#/case/x"), Route::Inbox);
    }
}
