//! One encoding per code enum, written once: [`code_enum!`] declares an enum
//! with, for every value, its code (the JSON form, the stored text and the
//! OpenAPI enum value — the same string) and its Chinese label, and derives
//! `ALL`, `as_str`, `parse`, `label`, serde and the OpenAPI schema from that
//! one list. The server, the phone and the API document cannot disagree.
//!
//! Serde goes through `as_str`/`parse` by hand rather than serde's derive:
//! the same wire form, and a fraction of the WebAssembly a derived visitor
//! costs on the phone.

/// Declares a code enum. Variants are written `Variant = "code" => "标签",`.
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The code: the JSON form and the stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )+
                }
            }

            /// The value a code stands for.
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $( $code => Some($name::$variant), )+
                    _ => None,
                }
            }

            /// The Chinese name users see.
            pub fn label(self) -> &'static str {
                match self {
                    $( $name::$variant => $label, )+
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::unknown_variant(&s, &[$($code),+]))
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(concat!($($code, "：", $label, "；"),+)))
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde::Serialize;

    /// Every value's code is its JSON form, parses back, and has a label;
    /// codes and labels are unique; an unknown code is refused.
    fn one_encoding<T>(all: &[T], as_str: fn(T) -> &'static str, label: fn(T) -> &'static str)
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + Copy,
    {
        let mut codes = std::collections::HashSet::new();
        let mut labels = std::collections::HashSet::new();
        for v in all {
            let json = serde_json::to_value(v).unwrap();
            assert_eq!(json, as_str(*v));
            assert_eq!(serde_json::from_value::<T>(json).unwrap(), *v);
            assert!(codes.insert(as_str(*v)), "duplicate code {}", as_str(*v));
            assert!(!label(*v).is_empty() && labels.insert(label(*v)), "label of {v:?}");
        }
        assert!(serde_json::from_str::<T>("\"no_such_code\"").is_err());
    }

    #[test]
    fn every_code_enum_has_one_encoding() {
        use crate::deadline::MatterLevel;
        use crate::lifecycle::{HandlingLevel, LegalRoute, NotTakenReason, NoticeForm, Opinion, ReviewKind};
        use crate::org::{AgentKind, Role, UnitKind};
        use crate::routing::{ContentCategory, TaskGroup};
        use crate::vocab::{Channel, Source, Stage, VisitMethod};
        one_encoding(&Stage::ALL, Stage::as_str, Stage::label);
        one_encoding(&Channel::ALL, Channel::as_str, Channel::label);
        one_encoding(&Source::ALL, Source::as_str, Source::label);
        one_encoding(&VisitMethod::ALL, VisitMethod::as_str, VisitMethod::label);
        one_encoding(&MatterLevel::ALL, MatterLevel::as_str, MatterLevel::label);
        one_encoding(&HandlingLevel::ALL, HandlingLevel::as_str, HandlingLevel::label);
        one_encoding(&LegalRoute::ALL, LegalRoute::as_str, LegalRoute::label);
        one_encoding(&NotTakenReason::ALL, NotTakenReason::as_str, NotTakenReason::label);
        one_encoding(&NoticeForm::ALL, NoticeForm::as_str, NoticeForm::label);
        one_encoding(&Opinion::ALL, Opinion::as_str, Opinion::label);
        one_encoding(&ReviewKind::ALL, ReviewKind::as_str, ReviewKind::label);
        one_encoding(&UnitKind::ALL, UnitKind::as_str, UnitKind::label);
        one_encoding(&Role::ALL, Role::as_str, Role::label);
        one_encoding(&AgentKind::ALL, AgentKind::as_str, AgentKind::label);
        one_encoding(&TaskGroup::ALL, TaskGroup::as_str, TaskGroup::label);
        one_encoding(&ContentCategory::ALL, ContentCategory::as_str, ContentCategory::label);
    }
}
