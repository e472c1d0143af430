// What a group commit says about the changelog: the chain head that the committed input
// offset is the state of. Carried in Kafka's offset-commit metadata, a short string:
//   kilter1:<writer hex>:<epoch>:<seq>:<changelog partition>:<head offset>:<base offset>
// A restore follows the chain back from that head; records no commit names (sent, then
// the commit refused or the writer fenced) are never part of it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "pipeline/changelog/record.h"

namespace kilter::changelog {

struct ChainHead {
  RecordId id;                 // the chain's last record
  std::int32_t partition = 0;  // the changelog partition holding the chain
  std::int64_t offset = 0;     // the head's offset there
  std::int64_t base = 0;       // the offset of the first chunk of the chain's snapshot
  bool operator==(const ChainHead&) const = default;
};

std::string format_commit_metadata(const ChainHead& head);
// The head named by a commit's metadata. nullopt when the metadata is not a kilter1
// string (another format, an older release's "kilter:<id>", empty). Strict: every field
// present, decimal without sign or leading zeros (but "0"), in range, nothing after.
std::optional<ChainHead> parse_commit_metadata(std::string_view text);
// Whether the metadata is in the kilter1 format at all (a malformed one is then an
// error for the caller to report, not "no chain").
bool is_commit_metadata(std::string_view text);
// Both at once, for a restore: nullopt (no chain) when the text is not in the kilter1
// format, the head when it parses, an error (`corruption`, quoting at most 100 bytes of
// the text, non-printable bytes as '?') when it is kilter1 but malformed.
Result<std::optional<ChainHead>> read_commit_metadata(std::string_view text);

}  // namespace kilter::changelog
