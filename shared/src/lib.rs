//! 代办通 shared crate: the domain's types and every policy rule, as pure
//! functions with no I/O. The axum server and the Leptos/WASM field app both
//! depend on it, so a rule (a deadline, a validation, a sync message shape) is
//! written exactly once.
//!
//! Module map:
//! - [`assessment`]: the rates, county targets and the 100-point assessment.
//! - [`calendar`]: the official PRC working-day calendar and period counting.
//! - [`deadline`]: time limits by matter level and their display.
//! - [`lifecycle`]: the case state machine (stages, screening, review, archive).
//! - [`vocab`]: the basic codes of a case (stage, channel, source, visit
//!   method) and the visit record as the phone makes it; depends on nothing.
//! - [`case_view`]: the case aggregate ([`case_view::CaseView`]) the API exchanges.
//! - [`case`]: a case's records (visits, timeline, attachments, complaints)
//!   and its detail; re-exports the codes and `CaseView` from their homes.
//! - [`command`]: workflow commands, their permissions and lifecycle events.
//! - [`desk`]: the desk's inbox queues, 处置单, review levels, duplicates.
//! - [`authority`]: who may act on a case and take it; session lengths.
//! - [`export`]: spreadsheet-safe cells for CSV/XLSX exports.
//! - [`intake`]: registering a new matter (代办单 fields), checked.
//! - [`sync`]: the offline push/pull protocol messages.
//! - [`validation`]: input checks with Chinese error messages.
//! - [`reward`]: the reward fund: categories, eligibility, dossier, quarterly batches.
//! - [`routing`]: content categories and the township task groups.
//! - [`stats`]: which counters a matter adds to, the figures beside the targets.
//! - [`org`]: units, roles and agent kinds.
//! - [`public`]: the citizens' query code (查询码) with its check digit.
//! - [`error`]: the JSON error body `{code, message}`.
//! - [`code`]: `code_enum!`, the one encoding (code, label, `ALL`, serde,
//!   OpenAPI) of every code enum.

pub mod assessment;
pub mod assessment_record;
pub mod authority;
pub mod bulletin;
pub mod calendar;
pub mod case;
pub mod case_view;
pub mod code;
pub mod command;
pub mod deadline;
pub mod desk;
pub mod dossier;
pub mod error;
pub mod export;
pub mod intake;
pub mod lifecycle;
pub mod org;
pub mod public;
pub mod reward;
pub mod routing;
pub mod stats;
pub mod sync;
pub mod time;
pub mod validation;
pub mod vocab;
