//! Compact decoding of code enums in the field app.
//!
//! On wasm32 (the phone) an enum sent as a code string (`"in_person"`) is
//! read with its own `parse` instead of serde's derived visitor: the same
//! wire form in a fraction of the WASM (a derived visitor is instantiated
//! once per deserializer, and the tagged command enums add a second one).
//! The server (native) keeps the derive; a test checks that both agree.

/// Implements `Deserialize` on wasm32 through the type's `parse(&str) -> Option<Self>`.
macro_rules! code_enum_from_parse {
    ($($t:ty),+ $(,)?) => {$(
        #[cfg(target_arch = "wasm32")]
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                <$t>::parse(&s).ok_or_else(|| serde::de::Error::custom("unknown code"))
            }
        }
    )+};
}

code_enum_from_parse!(
    crate::routing::ContentCategory,
    crate::case::Stage,
    crate::case::Channel,
    crate::case::Source,
    crate::case::VisitMethod,
    crate::deadline::MatterLevel,
    crate::lifecycle::HandlingLevel,
    crate::org::UnitKind,
    crate::org::Role,
    crate::org::AgentKind,
);

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde::Serialize;

    /// Every variant's wire form is what its `parse` reads (what the phone uses).
    fn agrees<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + Copy>(
        all: &[T],
        parse: fn(&str) -> Option<T>,
    ) {
        for v in all {
            let json = serde_json::to_value(v).unwrap();
            let code = json.as_str().expect("a code enum is a string");
            assert_eq!(parse(code), Some(*v), "{code}");
            assert_eq!(serde_json::from_value::<T>(json.clone()).unwrap(), *v);
        }
    }

    #[test]
    fn parse_reads_every_wire_code() {
        use crate::*;
        agrees(routing::ContentCategory::ALL, routing::ContentCategory::parse);
        agrees(&case::Stage::ALL, case::Stage::parse);
        agrees(&case::Channel::ALL, case::Channel::parse);
        agrees(&case::Source::ALL, case::Source::parse);
        agrees(&case::VisitMethod::ALL, case::VisitMethod::parse);
        agrees(&deadline::MatterLevel::ALL, deadline::MatterLevel::parse);
        agrees(&lifecycle::HandlingLevel::ALL, lifecycle::HandlingLevel::parse);
        agrees(&org::UnitKind::ALL, org::UnitKind::parse);
        agrees(&org::Role::ALL, org::Role::parse);
        agrees(&org::AgentKind::ALL, org::AgentKind::parse);
    }
}
