// Stopping a long-running command (serve, netcheck listen) on SIGINT or
// SIGTERM: the signals are blocked in every thread and taken by one waiting
// thread, which calls the command's stop function; the work in flight
// finishes on its own thread.
#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>

namespace mamori::cli {

class SignalStopper {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread: construct it before any
  // thread starts so that every thread inherits the mask.
  SignalStopper();
  // Joins the waiting thread; when no signal came (the work ended by itself)
  // it is woken by a SIGTERM that stays pending until its sigwait takes it.
  ~SignalStopper();
  SignalStopper(const SignalStopper&) = delete;
  SignalStopper& operator=(const SignalStopper&) = delete;

  // Starts the waiting thread; `stop` runs on it when a signal arrives.
  void Start(std::function<void()> stop);
  // Joins the waiting thread (see the destructor): call it before what
  // `stop` touches is destroyed.
  void Finish();
  bool Signalled() const { return signalled_; }

 private:
  sigset_t signals_{};
  std::atomic<bool> signalled_{false};
  std::thread waiter_;
};

}  // namespace mamori::cli
