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

/// Implements `Deserialize` on wasm32 from the variants' wire codes, and a
/// test (native) that the codes are the derive's.
macro_rules! code_enum {
    ($t:ty { $( $variant:ident = $code:literal ),+ $(,)? }) => {
        #[cfg(target_arch = "wasm32")]
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use $t as T;
                match <String as serde::Deserialize>::deserialize(d)?.as_str() {
                    $( $code => Ok(T::$variant), )+
                    _ => Err(serde::de::Error::custom("unknown code")),
                }
            }
        }

        #[cfg(test)]
        impl crate::wire::Codes for $t {
            fn codes() -> Vec<(Self, &'static str)> {
                use $t as T;
                vec![ $( (T::$variant, $code) ),+ ]
            }
        }
    };
}

#[cfg(test)]
pub(crate) trait Codes: Sized {
    fn codes() -> Vec<(Self, &'static str)>;
}

code_enum!(crate::lifecycle::Opinion {
    Satisfied = "satisfied",
    FairlySatisfied = "fairly_satisfied",
    Understanding = "understanding",
    Dissatisfied = "dissatisfied",
});
code_enum!(crate::lifecycle::NoticeForm { Oral = "oral", Written = "written" });
code_enum!(crate::lifecycle::LegalRoute {
    Litigation = "litigation",
    Arbitration = "arbitration",
    AdministrativeReconsideration = "administrative_reconsideration",
});
code_enum!(crate::lifecycle::NotTakenReason {
    UnreasonableAfterDueProcess = "unreasonable_after_due_process",
    ConcludedThreeLevels = "concluded_three_levels",
    AlreadyBeingHandled = "already_being_handled",
    InJudicialProceedings = "in_judicial_proceedings",
});
code_enum!(crate::lifecycle::ReviewKind { Review = "review", ReReview = "re_review" });

/// Unknown codes from a newer server are `Other`, as with the derive's `#[serde(other)]`.
#[cfg(target_arch = "wasm32")]
impl<'de> serde::Deserialize<'de> for crate::error::ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(crate::error::ErrorCode::parse(&<String as serde::Deserialize>::deserialize(d)?))
    }
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

    fn listed<T: super::Codes + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(n: usize) {
        let codes = T::codes();
        assert_eq!(codes.len(), n, "every variant listed");
        for (v, code) in codes {
            assert_eq!(serde_json::to_value(&v).unwrap(), code);
            assert_eq!(serde_json::from_value::<T>(code.into()).unwrap(), v);
        }
    }

    #[test]
    fn listed_codes_are_the_wire_codes() {
        use crate::lifecycle::*;
        listed::<Opinion>(Opinion::ALL.len());
        listed::<NoticeForm>(2);
        listed::<LegalRoute>(3);
        listed::<NotTakenReason>(NotTakenReason::ALL.len());
        listed::<ReviewKind>(2);
        for c in crate::error::ErrorCode::ALL {
            assert_eq!(crate::error::ErrorCode::parse(serde_json::to_value(c).unwrap().as_str().unwrap()), c);
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
