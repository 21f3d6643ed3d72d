//! The field app's pages as one typed route: it parses the URL hash and
//! renders every link, so no view writes a route by hand. Pure (native tests).

/// Which page is shown, from the URL hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// 我的事项
    Cases,
    /// One case (a negative id: a matter registered here, not yet synced).
    Case(i64),
    /// 排查登记
    NewCase,
    /// 本机
    Device,
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        let page = [Route::NewCase, Route::Device].into_iter().find(|r| r.page() == hash);
        page.or_else(|| hash.strip_prefix("#/case/").and_then(|id| id.parse().ok()).map(Route::Case))
            .unwrap_or(Route::Cases)
    }

    /// The link of a page without a parameter (tabs, back links), as a
    /// static string: cheaper in the WASM than building one.
    pub const fn page(self) -> &'static str {
        match self {
            Route::NewCase => "#/new",
            Route::Device => "#/device",
            Route::Cases | Route::Case(_) => "#/",
        }
    }

    /// The link to the page, e.g. `#/case/12`.
    pub fn href(self) -> String {
        match self {
            Route::Case(id) => format!("#/case/{id}"),
            r => r.page().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Route;

    #[test]
    fn every_route_parses_back_from_its_href() {
        for r in [Route::Cases, Route::Case(12), Route::Case(-3), Route::NewCase, Route::Device] {
            assert_eq!(Route::from_hash(&r.href()), r);
        }
        assert_eq!(Route::from_hash(""), Route::Cases);
        assert_eq!(Route::from_hash("#/case/x"), Route::Cases);
    }
}
