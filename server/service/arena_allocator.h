// A gRPC callback-API message allocator that puts each call's request and
// response on a protobuf Arena of their own: a batch of N customers makes
// thousands of small messages and strings, and one arena frees them in one go
// instead of one by one.
#ifndef HEALTHSCORE_SERVER_SERVICE_ARENA_ALLOCATOR_H_
#define HEALTHSCORE_SERVER_SERVICE_ARENA_ALLOCATOR_H_

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

namespace healthscore {

// Thread-safe (stateless): gRPC calls AllocateMessages from any thread.
template <typename Request, typename Response>
class ArenaMessageAllocator : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    return new Holder;
  }

 private:
  class Holder : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options()) {
      this->set_request(
          google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(
          google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    // Blocks grow from 4 KiB (a single Score) to 1 MiB (a large batch).
    static google::protobuf::ArenaOptions Options() {
      google::protobuf::ArenaOptions options;
      options.start_block_size = 4 << 10;
      options.max_block_size = 1 << 20;
      return options;
    }
    google::protobuf::Arena arena_;
  };
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_ARENA_ALLOCATOR_H_
