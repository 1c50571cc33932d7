# A Python `websockets` client for the interop tests. Usage: client.py URL [deflate|none].
# Sends text, binary, empty and 1 MiB messages to an echo endpoint, checks the
# echoes, pings, closes with 1000, and prints one JSON line with what it saw.
import asyncio
import json
import sys

import websockets


async def main():
    url = sys.argv[1]
    compression = 'deflate' if (sys.argv[2:] or ['deflate'])[0] == 'deflate' else None
    result = {}
    async with websockets.connect(url, compression=compression, max_size=2 ** 24) as ws:
        result['extensions'] = [type(e).__name__ for e in ws.extensions]
        big = bytes((i * 7) & 0xff for i in range(1 << 20))
        sent = ['hello κόσμε', b'\x00\x01\xff', '', big, 'x' * 100000]
        ok = []
        for m in sent:
            await ws.send(m)
            echo = await ws.recv()
            ok.append(echo == m)
        result['echoes'] = ok
        pong = await ws.ping(b'py-ping')
        await asyncio.wait_for(pong, 5)
        result['pong'] = True
        await ws.close(1000, 'py done')
        result['close_code'] = ws.close_code
    print(json.dumps(result), flush=True)


asyncio.run(main())
