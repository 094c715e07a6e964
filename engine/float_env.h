// Floating-point environment of a run: FTZ/DAZ ("flush denormals", a fast-math pass) set on the
// calling thread and on every OpenMP worker for the scope's lifetime, then restored.
#pragma once

namespace fs {

class FlushDenormalsScope {
 public:
  explicit FlushDenormalsScope(bool enable);
  ~FlushDenormalsScope();
  FlushDenormalsScope(const FlushDenormalsScope&) = delete;
  FlushDenormalsScope& operator=(const FlushDenormalsScope&) = delete;

 private:
  bool enabled_;
  unsigned saved_ = 0;
};

}  // namespace fs
