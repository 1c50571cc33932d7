# A Python `websockets` echo server for the interop tests (Debian's python3-websockets).
# Usage: echo_server.py [deflate|none]. Prints "PORT <n>" once listening.
# /close: answers the first message with close 4000 "python bye".
import asyncio
import sys

import websockets


async def handler(ws, path=None):
    path = path if path is not None else ws.path
    async for message in ws:
        if path == '/close':
            await ws.close(4000, 'python bye')
            return
        await ws.send(message)


async def main():
    compression = 'deflate' if (sys.argv[1:] or ['deflate'])[0] == 'deflate' else None
    async with websockets.serve(handler, '127.0.0.1', 0, compression=compression, max_size=2 ** 24) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print('PORT', port, flush=True)
        await asyncio.Future()


asyncio.run(main())
