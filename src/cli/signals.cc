#include "cli/signals.h"

#include <pthread.h>
#include <unistd.h>

#include <utility>

namespace mamori::cli {

SignalStopper::SignalStopper() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

void SignalStopper::Start(std::function<void()> stop) {
  waiter_ = std::thread([this, stop = std::move(stop)] {
    int received = 0;
    sigwait(&signals_, &received);
    signalled_ = true;
    stop();
  });
}

SignalStopper::~SignalStopper() { Finish(); }

void SignalStopper::Finish() {
  if (!waiter_.joinable()) return;
  if (!signalled_) kill(getpid(), SIGTERM);
  waiter_.join();
}

}  // namespace mamori::cli
