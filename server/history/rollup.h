// Account roll-ups: a parent account's score is the contract-value-weighted
// mean of its children's newest scores, the children its drivers. A child
// names its parent and contract value in its attributes ("parent_id",
// "contract_value") when its score is recorded; the store keeps the
// hierarchy. Each time children are recorded their parents' roll-ups are
// recorded too, as points of the parent (variant "rollup"), so a parent has a
// history, a trend and alerts like a customer.
#ifndef HEALTHSCORE_SERVER_HISTORY_ROLLUP_H_
#define HEALTHSCORE_SERVER_HISTORY_ROLLUP_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/map.h"
#include "healthscore/v1/history.pb.h"
#include "server/engine/snapshot.h"
#include "server/store/store.h"

namespace healthscore::history {

// The variant recorded on a roll-up point.
inline constexpr char kRollupVariant[] = "rollup";
// How deep a hierarchy may be.
inline constexpr int kMaxHierarchyDepth = 32;

inline constexpr char kParentAttribute[] = "parent_id";
inline constexpr char kContractValueAttribute[] = "contract_value";

// What a customer's attributes say about its place in the hierarchy.
struct AccountAttributes {
  bool has_parent = false;  // "parent_id" given (empty: detached)
  std::string parent_id;
  std::optional<double> contract_value;
};

// Reads "parent_id" and "contract_value" from `attributes` (other keys are
// free-form). `field` names the map in errors, e.g. "rows[3].attributes".
// INVALID_ARGUMENT for a parent id that is not a valid customer id or names
// `customer_id` itself, a contract value that is not a finite number >= 0.
absl::StatusOr<AccountAttributes> ReadAccountAttributes(
    const google::protobuf::Map<std::string, std::string>& attributes,
    const std::string& customer_id, absl::string_view field);

// One recorded customer's new place in the hierarchy.
struct AccountChange {
  std::string customer_id;
  AccountAttributes attributes;
  std::string field;  // names its attributes in errors
};

// Refuses (INVALID_ARGUMENT, naming the field and the cycle, e.g.
// "a -> b -> a") changes that would make a parent cycle or a hierarchy
// deeper than kMaxHierarchyDepth, given the store's hierarchy with `changes`
// applied; then stores them.
absl::Status PutAccounts(store::Store& store,
                         std::span<const AccountChange> changes,
                         int64_t now_us);

// `parent_id`'s roll-up from its children's newest points at or before
// `at_us`, banded and graded by `snapshot`'s default variant. NOT_FOUND when
// no account names it as parent; FAILED_PRECONDITION when no child has both
// a recorded score and a contract value.
absl::StatusOr<v1::AccountRollup> ComputeRollup(store::Store& store,
                                                const Snapshot& snapshot,
                                                const std::string& parent_id,
                                                int64_t at_us);

// The parents of `customer_ids` (from the store), without repeats.
absl::StatusOr<std::vector<std::string>> ParentsOf(
    store::Store& store, std::span<const std::string> customer_ids);

}  // namespace healthscore::history

#endif  // HEALTHSCORE_SERVER_HISTORY_ROLLUP_H_
