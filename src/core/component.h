#pragma once
// One concern of the engine (users, graph, posts, likes, home feed, ...): it owns its keys and
// records, its batch primitives (which add its share of an operation to a WriteOp's batch),
// its snapshot reads, its background jobs, its invariants and fixes, and its share of a deleted
// post's clean-up. Engine::Impl (engine/engine_impl.h) holds the components in dependency
// order, each constructed with the context and the components it reads, so dependencies show
// in constructors; Open, Check, the post purge and GetStats loop over that registry.
// Operations that write to several components live in src/engine/ops/.

#include <cstdint>
#include <string_view>

#include "puppies/engine.h"
#include "puppies/status.h"

namespace puppies::internal {

class Batch;            // store/store.h
struct InvariantGroup;  // fsck/view.h

class Component {
 public:
  virtual ~Component() = default;
  virtual std::string_view name() const = 0;

  // At Open, after the context and before queued jobs resume: registers the component's job
  // types with the runner and loads its in-memory mirrors.
  virtual Status Open() { return Status::OK(); }

  // Its share of Check (fsck/view.h); null when it has no stored state of its own.
  virtual const InvariantGroup* invariants() const { return nullptr; }

  // One batch's worth of a deleted post's residue in this component, added to `b`; *done when
  // none is left. `cursor` (0 at the start) is saved with the purge job between steps, for a
  // stage that walks a list. Components without per-post state keep the default.
  virtual Status PurgePost(uint64_t author, uint64_t post, uint64_t* cursor, Batch* b, bool* done) {
    (void)author, (void)post, (void)cursor, (void)b;
    *done = true;
    return Status::OK();
  }

  // Adds the component's figures to Engine::GetStats.
  virtual void AddStats(Stats* stats) const { (void)stats; }
};

}  // namespace puppies::internal
