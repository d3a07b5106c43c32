// Keyword table of bfd_instance (see model/bfd.h).
#include "config/fields.h"
#include "config/tables/lvs_internal.h"
#include "config/tables/tables.h"

namespace halo::config {
namespace {

// BFD intervals are written in milliseconds with a fraction (microsecond resolution).
kw::DurationCodec milliseconds(std::int64_t min, std::int64_t max) {
  using std::chrono::milliseconds;
  return {milliseconds(min), milliseconds(max), milliseconds(1)};
}

}  // namespace

const Table<BfdInstance>& bfd_instance_table() {
  using B = BfdInstance;
  static const Table<B> table(
      "bfd_instance", "a BFD session (RFC 5880) to one neighbour",
      {
          kw::address("neighbor_ip", &B::neighbor_ip)
              .alias("neighbour_ip")
              .default_text("required"),
          kw::address("source_ip", &B::source_ip),
          kw::value("min_rx", &B::min_rx, milliseconds(1, 4294967)),
          kw::value("min_tx", &B::min_tx, milliseconds(1, 4294967)),
          kw::value("idle_tx", &B::idle_tx, milliseconds(1000, 4294967)),
          kw::integer("multiplier", &B::multiplier, 1, 255),
          kw::flag("passive", &B::passive),
          kw::integer("ttl", &B::ttl, 1, 255)
              .alias("hoplimit")
              .default_text("255 (IPv4), 64 (IPv6)"),
          kw::integer("max_hops", &B::max_hops, -1, 255),
          kw::custom<B>(
              "weight", "<-253..253> [reverse]",
              [](B& b, const Statement& st) {
                if (!st.expect_args(1, 2)) return;
                auto v = kw::parse_integer(st.arg(0).text);
                if (!v || *v < -253 || *v > 253) {
                  st.error(st.arg(0), fmt::format("'weight' value {} is out of range -253..253",
                                                  st.arg(0).text));
                  return;
                }
                if (st.size() > 1 && st.arg(1).text != "reverse") {
                  st.error(st.arg(1),
                           fmt::format("'weight' takes 'reverse', not '{}'", st.arg(1).text));
                  return;
                }
                b.weight = static_cast<std::int16_t>(*v);
                b.weight_reverse = st.size() > 1;
              },
              [](const B& b, Writer& w) {
                if (b.weight == 0 && !b.weight_reverse) return;
                DumpArgs args{static_cast<std::int64_t>(b.weight)};
                if (b.weight_reverse) args.emplace_back("reverse");
                w.statement("weight", args);
              })
              .default_text("0"),
          kw::flag("vrrp", &B::vrrp),
          kw::flag("checker", &B::checker),
      });
  return table;
}

}  // namespace halo::config
