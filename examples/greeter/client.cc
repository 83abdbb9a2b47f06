// greeter-client: calls every hello.Greeter method once against a running
// server and prints what came back.
//   greeter-client [--target 127.0.0.1:50051] [--name NAME] [--count N]
// Exit status 0 when every call succeeded.
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "hello/greeter.grpc.pb.h"

namespace {

hello::HelloRequest request(const std::string& name, int count = 0) {
  hello::HelloRequest r;
  r.set_name(name);
  r.set_count(count);
  return r;
}

bool report(const char* what, const grpc::Status& status) {
  if (status.ok()) return true;
  std::cerr << what << " failed: " << status.error_code() << " " << status.error_message() << "\n";
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string target = "127.0.0.1:50051";
  std::string name = "world";
  int count = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--target") target = argv[i + 1];
    else if (flag == "--name") name = argv[i + 1];
    else if (flag == "--count") count = std::atoi(argv[i + 1]);
    else {
      std::cerr << "usage: greeter-client [--target HOST:PORT] [--name NAME] [--count N]\n";
      return 2;
    }
  }
  auto stub = hello::Greeter::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  bool ok = true;
  {
    grpc::ClientContext ctx;
    hello::HelloReply reply;
    if ((ok &= report("SayHello", stub->SayHello(&ctx, request(name), &reply)))) {
      std::cout << "SayHello: " << reply.message() << "\n";
    }
  }
  {
    grpc::ClientContext ctx;
    auto reader = stub->SayHelloStream(&ctx, request(name, count));
    hello::HelloReply reply;
    while (reader->Read(&reply)) std::cout << "SayHelloStream: " << reply.message() << "\n";
    ok &= report("SayHelloStream", reader->Finish());
  }
  {
    grpc::ClientContext ctx;
    hello::HelloReply reply;
    auto writer = stub->CollectHellos(&ctx, &reply);
    for (const char* n : {"Ada", "Grace", "Barbara"}) writer->Write(request(n));
    writer->WritesDone();
    if ((ok &= report("CollectHellos", writer->Finish()))) std::cout << "CollectHellos: " << reply.message() << "\n";
  }
  {
    grpc::ClientContext ctx;
    auto stream = stub->Chat(&ctx);
    hello::HelloReply reply;
    for (const char* n : {"Alan", "Edsger"}) {
      stream->Write(request(n));
      if (stream->Read(&reply)) std::cout << "Chat: " << reply.message() << "\n";
    }
    stream->WritesDone();
    ok &= report("Chat", stream->Finish());
  }
  return ok ? 0 : 1;
}
