//===- InitAllPasses.h - Passes seqc tools expose ---------------*- C++ -*-===//
//
// Registers the seqc passes, the named pipelines, and the upstream passes the
// pipelines are built from, so that each stage can be rerun by hand in
// seqc-opt.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_INITALLPASSES_H
#define SEQC_INITALLPASSES_H

namespace seqc {

void registerAllPasses();

} // namespace seqc

#endif // SEQC_INITALLPASSES_H
