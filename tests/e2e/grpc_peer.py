#!/usr/bin/python3
"""A gRPC server and client with a known mix of outcomes, for
tests/e2e/requests_grpc.sh and for recording userspace/requests/testdata
(grpc_*.calls). Generic handlers with raw-bytes messages: no protoc.

    grpc_peer.py server PORT          serves kscope.test.Echo on 127.0.0.1:PORT
    grpc_peer.py client PORT OK FAIL  OK calls answered OK, FAIL answered
                                      UNAVAILABLE, then one to an unknown
                                      method (UNIMPLEMENTED), on one channel

Say answers OK unless the request starts with b"fail", then UNAVAILABLE
(set by the handler, so it travels in the trailers after a HEADERS).
Prints "done OK FAIL UNIMPLEMENTED" as the client saw them."""
import sys
from concurrent import futures

import grpc

SERVICE = "kscope.test.Echo"


def raw(b):
    return b


def say(request, context):
    if request.startswith(b"fail"):
        context.set_code(grpc.StatusCode.UNAVAILABLE)
        context.set_details("told to fail")
        return b""
    return b"echo:" + request


def serve(port):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    handler = grpc.method_handlers_generic_handler(
        SERVICE, {"Say": grpc.unary_unary_rpc_method_handler(say, request_deserializer=raw, response_serializer=raw)})
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port("127.0.0.1:%d" % port)
    server.start()
    print("listening", flush=True)
    server.wait_for_termination()


def call(port, ok, fail):
    options = [("grpc.enable_http_proxy", 0)]
    counts = {"OK": 0, "UNAVAILABLE": 0, "UNIMPLEMENTED": 0}
    with grpc.insecure_channel("127.0.0.1:%d" % port, options=options) as channel:
        say_rpc = channel.unary_unary("/%s/Say" % SERVICE, request_serializer=raw, response_deserializer=raw)
        missing = channel.unary_unary("/%s/Missing" % SERVICE, request_serializer=raw, response_deserializer=raw)
        plan = [b"hello %d" % i for i in range(ok)] + [b"fail %d" % i for i in range(fail)]
        # Interleaved, so the two outcomes alternate on the connection.
        plan.sort(key=lambda m: m.split()[1])
        for message in plan:
            try:
                say_rpc(message, timeout=10)
                counts["OK"] += 1
            except grpc.RpcError as e:
                counts[e.code().name] = counts.get(e.code().name, 0) + 1
        try:
            missing(b"x", timeout=10)
        except grpc.RpcError as e:
            counts[e.code().name] = counts.get(e.code().name, 0) + 1
    print("done %d %d %d" % (counts["OK"], counts["UNAVAILABLE"], counts["UNIMPLEMENTED"]), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(int(sys.argv[2]))
    else:
        call(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
