// Account roll-ups.
#include "server/history/rollup.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status_macros.h"
#include "server/history/args.h"
#include "server/history/point.h"

namespace healthscore::history {

absl::StatusOr<AccountAttributes> ReadAccountAttributes(
    const google::protobuf::Map<std::string, std::string>& attributes,
    const std::string& customer_id, absl::string_view field) {
  AccountAttributes out;
  if (auto it = attributes.find(kParentAttribute); it != attributes.end()) {
    out.has_parent = true;
    out.parent_id = it->second;
    if (!out.parent_id.empty()) {
      if (absl::Status s = CheckCustomerId(out.parent_id); !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, "['", kParentAttribute, "']: ", s.message()));
      }
      if (out.parent_id == customer_id) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, "['", kParentAttribute, "'] = '",
                         out.parent_id.substr(0, 256),
                         "' is the customer itself; an account cannot be its "
                         "own parent"));
      }
    }
  }
  if (auto it = attributes.find(kContractValueAttribute);
      it != attributes.end()) {
    double value = 0;
    if (!absl::SimpleAtod(it->second, &value) || !std::isfinite(value) ||
        value < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, "['", kContractValueAttribute, "'] = '",
          it->second.substr(0, 64),
          "' is not a number >= 0 (e.g. 120000: the account's contract "
          "value, its weight in its parent's roll-up)"));
    }
    out.contract_value = value;
  }
  return out;
}

absl::Status PutAccounts(store::Store& store,
                         std::span<const AccountChange> changes,
                         int64_t now_us) {
  if (changes.empty()) return absl::OkStatus();
  // The hierarchy as it will be: the changes over the store's. Parents are
  // looked up level by level, a batch at a time.
  absl::flat_hash_map<std::string, std::string> parent_of;
  absl::flat_hash_map<std::string, std::optional<double>> stored_value;
  std::vector<std::string> wanted;
  for (const AccountChange& c : changes) wanted.push_back(c.customer_id);
  ASSIGN_OR_RETURN(std::vector<store::AccountRow> stored,
                   store.AccountsOf(wanted));
  for (store::AccountRow& row : stored) {
    stored_value[row.customer_id] = row.contract_value;
    parent_of[row.customer_id] = std::move(row.parent_id);
  }
  for (const AccountChange& c : changes) {
    if (c.attributes.has_parent) {
      parent_of[c.customer_id] = c.attributes.parent_id;
    }
  }
  absl::flat_hash_set<std::string> looked_up(wanted.begin(), wanted.end());
  for (int level = 0; level <= kMaxHierarchyDepth; ++level) {
    wanted.clear();
    for (const auto& [child, parent] : parent_of) {
      if (!parent.empty() && looked_up.insert(parent).second) {
        wanted.push_back(parent);
      }
    }
    if (wanted.empty()) break;
    ASSIGN_OR_RETURN(stored, store.AccountsOf(wanted));
    for (store::AccountRow& row : stored) {
      parent_of.try_emplace(row.customer_id, std::move(row.parent_id));
    }
  }
  std::vector<store::AccountRow> rows;
  for (const AccountChange& c : changes) {
    if (c.attributes.has_parent && !c.attributes.parent_id.empty()) {
      std::vector<std::string> path = {c.customer_id};
      std::string at = c.attributes.parent_id;
      while (!at.empty()) {
        path.push_back(at);
        if (at == c.customer_id) {
          return absl::InvalidArgumentError(absl::StrCat(
              c.field, "['", kParentAttribute, "'] = '",
              c.attributes.parent_id, "' makes a parent cycle: ",
              absl::StrJoin(path, " -> "),
              "; nothing was recorded"));
        }
        if (static_cast<int>(path.size()) > kMaxHierarchyDepth + 1) {
          return absl::InvalidArgumentError(absl::StrCat(
              c.field, "['", kParentAttribute, "'] = '",
              c.attributes.parent_id, "' puts '", c.customer_id,
              "' more than ", kMaxHierarchyDepth,
              " levels below its top account (",
              absl::StrJoin(path.begin(), path.begin() + 4, " -> "),
              " -> ...); the limit is ", kMaxHierarchyDepth,
              "; nothing was recorded"));
        }
        auto it = parent_of.find(at);
        at = it == parent_of.end() ? std::string() : it->second;
      }
    }
    store::AccountRow row;
    row.customer_id = c.customer_id;
    auto parent = parent_of.find(c.customer_id);
    if (parent != parent_of.end()) row.parent_id = parent->second;
    // An attribute left out keeps what was stored.
    row.contract_value = c.attributes.contract_value;
    if (!row.contract_value.has_value()) {
      auto value = stored_value.find(c.customer_id);
      if (value != stored_value.end()) row.contract_value = value->second;
    }
    row.updated_at_us = now_us;
    rows.push_back(std::move(row));
  }
  return store.PutAccounts(rows);
}

absl::StatusOr<v1::AccountRollup> ComputeRollup(store::Store& store,
                                                const Snapshot& snapshot,
                                                const std::string& parent_id,
                                                int64_t at_us) {
  ASSIGN_OR_RETURN(std::vector<store::AccountRow> children,
                   store.ChildrenOf(parent_id));
  if (children.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "no account names '", parent_id.substr(0, 256),
        "' as its parent_id (a child names its parent in the attributes "
        "of a recorded score)"));
  }
  std::vector<std::string> ids;
  for (const store::AccountRow& c : children) ids.push_back(c.customer_id);
  ASSIGN_OR_RETURN(std::vector<store::PointRow> latest,
                   store.LatestOf(ids, at_us));
  absl::flat_hash_map<std::string, const store::PointRow*> point_of;
  for (const store::PointRow& p : latest) point_of[p.customer_id] = &p;

  v1::AccountRollup rollup;
  rollup.set_parent_id(parent_id);
  *rollup.mutable_at() = FromMicros(at_us);
  double total = 0, weighted = 0;
  int counted = 0;
  std::vector<v1::RollupChild> rows;
  for (const store::AccountRow& c : children) {
    v1::RollupChild child;
    child.set_customer_id(c.customer_id);
    auto it = point_of.find(c.customer_id);
    const store::PointRow* point = it == point_of.end() ? nullptr : it->second;
    std::optional<double> value = c.contract_value;
    if (point != nullptr) {
      child.set_score(point->score);
      child.set_band(point->band);
      child.set_grade(point->grade);
      *child.mutable_as_of() = FromMicros(point->as_of_us);
      child.set_is_parent(point->variant == kRollupVariant);
    }
    if (!value.has_value() && child.is_parent()) {
      // A parent without a value of its own weighs what its children do.
      ASSIGN_OR_RETURN(std::vector<store::AccountRow> grandchildren,
                       store.ChildrenOf(c.customer_id));
      double sum = 0;
      bool any = false;
      for (const store::AccountRow& g : grandchildren) {
        if (g.contract_value.has_value()) {
          sum += *g.contract_value;
          any = true;
        }
      }
      if (any) value = sum;
    }
    if (value.has_value()) child.set_contract_value(*value);
    if (point == nullptr) {
      child.set_excluded(absl::StrCat("no recorded score at or before ",
                                      FormatMicros(at_us)));
    } else if (!value.has_value()) {
      child.set_excluded("no contract_value attribute");
    } else if (*value <= 0) {
      child.set_excluded("contract_value is 0");
    } else {
      total += *value;
      weighted += *value * point->score;
      ++counted;
    }
    rows.push_back(std::move(child));
  }
  if (counted == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "none of '", parent_id.substr(0, 256), "''s ", children.size(),
        " children has both a recorded score and a contract_value > 0 at ",
        FormatMicros(at_us)));
  }
  const double score = weighted / total;
  for (v1::RollupChild& child : rows) {
    if (!child.excluded().empty()) continue;
    child.set_weight(child.contract_value() / total);
    child.set_points_lost(child.weight() * (100 - child.score()));
  }
  // Drivers: the children costing the parent most first; excluded ones last.
  std::stable_sort(rows.begin(), rows.end(),
                   [](const v1::RollupChild& a, const v1::RollupChild& b) {
                     if (a.excluded().empty() != b.excluded().empty()) {
                       return a.excluded().empty();
                     }
                     return a.points_lost() > b.points_lost();
                   });
  rollup.set_score(score);
  const BandSpec& band = snapshot.BandFor(score);
  rollup.set_band(band.name);
  rollup.set_grade(band.grade);
  rollup.set_contract_value(total);
  rollup.set_coverage(static_cast<double>(counted) / children.size());
  for (v1::RollupChild& child : rows) *rollup.add_children() = std::move(child);
  return rollup;
}

absl::StatusOr<std::vector<std::string>> ParentsOf(
    store::Store& store, std::span<const std::string> customer_ids) {
  ASSIGN_OR_RETURN(std::vector<store::AccountRow> accounts,
                   store.AccountsOf(customer_ids));
  std::vector<std::string> parents;
  absl::flat_hash_set<std::string> seen;
  for (store::AccountRow& a : accounts) {
    if (!a.parent_id.empty() && seen.insert(a.parent_id).second) {
      parents.push_back(std::move(a.parent_id));
    }
  }
  std::sort(parents.begin(), parents.end());
  return parents;
}

}  // namespace healthscore::history
