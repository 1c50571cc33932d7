# Generates the WebSocket frame corpus (test/corpus/ws/*.md): frames in hex with their expected
# event logs. The expectations come from this independent model (offsets computed here, UTF-8
# prefixes checked against Python's decoder), not from the TypeScript code under test.
# Run: python3 test/corpus/ws/generate.py
import struct, zlib, hashlib, json, os, itertools

OUT = os.path.dirname(os.path.abspath(__file__))
KEYS = [bytes.fromhex(k) for k in ['37fa213d', '01020304', 'a1b2c3d4', 'ffffffff', '00000000', '9c4e0b77']]

def mask(data, key):
    return bytes(b ^ key[i % 4] for i, b in enumerate(data))

def enc(fin, op, payload, key=None, rsv=0, declared=None, bits=None):
    L = len(payload) if declared is None else declared
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    m = 0x80 if key is not None else 0
    if bits is None:
        bits = 7 if L < 126 else 16 if L < 65536 else 64
    if bits == 7: h = bytes([b0, m | L])
    elif bits == 16: h = bytes([b0, m | 126]) + struct.pack('>H', L)
    else: h = bytes([b0, m | 127]) + struct.pack('>Q', L)
    extlen = len(h) - 2
    if key is not None:
        h += key
        payload = mask(payload, key)
    return h + payload, extlen

def printable(b):
    try:
        s = b.decode('utf-8')
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in s): return None
    return s

def rep(b):
    if len(b) > 8 and b == bytes([b[0]]) * len(b):
        return '[%d×%02x]' % (len(b), b[0])
    s = printable(b)
    if s is not None and len(b) <= 80:
        return json.dumps(s, ensure_ascii=False)
    if len(b) <= 32:
        return '0x' + b.hex()
    return '[%d bytes sha256:%s]' % (len(b), hashlib.sha256(b).hexdigest()[:12])

def hexdump(b):
    # 16 bytes a line; long runs of one byte as hh*N
    out = []
    i = 0
    line = []
    def flush():
        if line: out.append(' '.join(line)); line.clear()
    while i < len(b):
        j = i
        while j < len(b) and b[j] == b[i]: j += 1
        if j - i >= 16:
            flush(); out.append('%02x*%d' % (b[i], j - i)); i = j; continue
        line.append('%02x' % b[i]); i += 1
        if len(line) == 16: flush()
    flush()
    return '\n'.join(out)

class Case:
    def __init__(self, num, title, why, **opts):
        self.num, self.title, self.why, self.opts = num, title, why, opts
        self.data = b''
        self.lines = []
        self.dead = False
        self.k = 0
        self.role = opts.get('role', 'server')
    def key(self):
        if self.role == 'client': return None
        k = KEYS[self.k % len(KEYS)]; self.k += 1
        return k
    def raw(self, b):
        self.data += b
        return self
    def frame(self, fin=True, op=1, payload=b'', rsv=0, key='auto', declared=None, bits=None, log=True):
        if isinstance(payload, str): payload = payload.encode()
        if key == 'auto': key = self.key()
        start = len(self.data)
        b, ext = enc(fin, op, payload, key, rsv, declared, bits)
        self.data += b
        if log and not self.dead:
            kpos = start + 2 + ext
            ppos = kpos + (4 if key is not None else 0)
            self.lines.append('frame %d-%d %s rsv=%s op=%d len=%d%s payload=%d' % (
                start, len(self.data), 'fin' if fin else 'more', format(rsv, '03b'), op, len(payload),
                (' key=%d' % kpos) if key is not None else '', ppos))
        return start
    def expect(self, *lines):
        if not self.dead: self.lines.extend(lines)
        return self
    def error(self, code, close, offset):
        if not self.dead:
            self.lines.append('error %s %d @%d' % (code, close, offset))
            self.lines.append('sent close %d' % close)
            self.lines.append('end')
        self.dead = True
        return self
    def close_ok(self, code=None, reason=''):
        # a valid close frame: received, echoed, TCP ended
        if code is None:
            self.frame(op=8)
            self.expect('close', 'sent close', 'end')
        else:
            self.frame(op=8, payload=struct.pack('>H', code) + reason.encode())
            self.expect('close %d %s' % (code, json.dumps(reason, ensure_ascii=False)), 'sent close %d' % code, 'end')
        self.dead = True
        return self
    def render(self):
        o = ['## %s %s' % (self.num, self.title), '', self.why, '']
        opts = {k: v for k, v in self.opts.items()}
        if opts:
            o.append('```options')
            for k, v in opts.items(): o.append('%s: %s' % (k, v))
            o.append('```')
            o.append('')
        o.append('```hex'); o.append(hexdump(self.data)); o.append('```'); o.append('')
        o.append('```events'); o.extend(self.lines); o.append('```'); o.append('')
        return '\n'.join(o)

def write(name, title, intro, cases):
    with open(os.path.join(OUT, name), 'w') as f:
        f.write('# %s\n\n%s\n\n' % (title, intro))
        f.write('Format: each case is a heading, a sentence on why, optional `options`, the input in hex\n'
                '(`hh*N` repeats a byte N times) and the expected log. Offsets count from the first byte of the input.\n'
                '`frame START-END fin|more rsv=BITS op=N len=N [key=OFFSET] payload=OFFSET`; `text`/`binary` are delivered\n'
                'messages, `sent` lines are frames the endpoint wrote back, `end` means it ended the TCP connection.\n\n')
        for c in cases: f.write(c.render() + '\n')

def text(s):
    return 'text ' + rep(s.encode() if isinstance(s, str) else s)
def binary(b):
    return 'binary ' + rep(b)

# ---------------------------------------------------------------- 1 framing
cases = []
for n, L in enumerate([0, 125, 126, 127, 128, 65535, 65536], 1):
    c = Case('1.1.%d' % n, 'Text message, payload length %d' % L, 'Each length encoding boundary: 7-bit up to 125, 16-bit from 126, 64-bit from 65536.')
    p = b'*' * L
    c.frame(op=1, payload=p, key=bytes.fromhex('a5a5a5a5') if L >= 126 else 'auto'); c.expect(text(p)); cases.append(c)
for n, L in enumerate([0, 125, 126, 127, 128, 65535, 65536], 1):
    c = Case('1.2.%d' % n, 'Binary message, payload length %d' % L, 'The same boundaries with binary data (bytes 0xfe).')
    p = b'\xfe' * L
    c.frame(op=2, payload=p, key=bytes.fromhex('a5a5a5a5') if L >= 126 else 'auto'); c.expect(binary(p)); cases.append(c)
c = Case('1.1.9', 'Non-minimal lengths are read as written', 'A 16-bit length of 5 and a 64-bit length of 3: RFC 6455 asks senders for the minimal encoding, receivers still read them.')
c.frame(op=1, payload='hello', bits=16); c.expect(text('hello'))
c.frame(op=2, payload=b'\x01\x02\x03', bits=64); c.expect(binary(b'\x01\x02\x03')); cases.append(c)
c = Case('1.1.10', 'Several frames in one stream', 'Back-to-back messages; each is delivered in order.')
for i, w in enumerate(['one', 'two', 'three']):
    c.frame(op=1, payload=w); c.expect(text(w))
cases.append(c)
c = Case('1.3.1', 'Unmasked frame from a client', 'A server must fail a connection whose client frame is not masked (RFC 6455 §5.1).')
c.frame(op=1, payload='hi', key=None, log=False); c.error('WS_UNMASKED_FRAME', 1002, 1); cases.append(c)
c = Case('1.3.2', 'Masked frame from a server', 'A client must fail the connection on a masked server frame.', role='client')
c.frame(op=1, payload='hi', key=KEYS[0], log=False); c.error('WS_MASKED_FRAME', 1002, 1); cases.append(c)
for n, L in enumerate([0, 125, 126, 65536], 1):
    c = Case('1.4.%d' % n, 'Client role: unmasked server frame of %d bytes' % L, 'The client side reads unmasked frames.', role='client')
    p = b'a' * L
    c.frame(op=1, payload=p); c.expect(text(p)); cases.append(c)
c = Case('1.5.1', 'Frame over maxPayload', 'A frame whose declared length is over the limit fails with 1009 as soon as the length is known.', maxPayload='1000')
c.frame(op=2, payload=b'\x00' * 1001, key=bytes.fromhex('00000000'), log=False); c.error('WS_MESSAGE_TOO_BIG', 1009, 2); cases.append(c)
c = Case('1.5.2', 'Message over maxPayload across fragments', 'Each fragment is under the limit, their sum is not: 1009 at the frame that crosses it.', maxPayload='1000')
c.frame(fin=False, op=2, payload=b'\x00' * 600, key=bytes.fromhex('00000000'))
s = len(c.data); c.frame(fin=True, op=0, payload=b'\x00' * 600, key=bytes.fromhex('00000000'), log=False); c.error('WS_MESSAGE_TOO_BIG', 1009, s + 2); cases.append(c)
c = Case('1.5.3', 'Most significant bit of a 64-bit length set', 'RFC 6455 §5.2: the most significant bit must be 0.')
c.raw(bytes.fromhex('82ff8000000000000001') + KEYS[0] + b'x'); c.error('WS_INVALID_LENGTH', 1002, 2); cases.append(c)
c = Case('1.5.4', 'Too many fragments', 'maxFragments bounds the frames of one message: the fourth fails with 1009.', maxFragments='3')
for i in range(3): c.frame(fin=False, op=2 if i == 0 else 0, payload=b'x')
s = len(c.data); c.frame(fin=False, op=0, payload=b'x', log=False); c.error('WS_TOO_MANY_FRAGMENTS', 1009, s); cases.append(c)
write('01-framing.md', 'Autobahn group 1: framing', 'Payload length encodings (7, 16 and 64 bit) at every boundary, masking by role, and the size limits.', cases)

# ---------------------------------------------------------------- 2 ping/pong
cases = []
c = Case('2.1', 'Ping without payload', 'Answered with a pong carrying the same (empty) payload.')
c.frame(op=9); c.expect('ping ""', 'sent pong ""'); cases.append(c)
c = Case('2.2', 'Ping with a small text payload', 'The pong echoes the application data.')
c.frame(op=9, payload='Hello, world!'); c.expect('ping "Hello, world!"', 'sent pong "Hello, world!"'); cases.append(c)
c = Case('2.3', 'Ping with a binary payload', 'Any bytes.')
p = bytes([0, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0, 0xff]); c.frame(op=9, payload=p); c.expect('ping ' + rep(p), 'sent pong ' + rep(p)); cases.append(c)
c = Case('2.4', 'Ping with 125 bytes', 'The largest control payload.')
p = b'\xfe' * 125; c.frame(op=9, payload=p); c.expect('ping ' + rep(p), 'sent pong ' + rep(p)); cases.append(c)
c = Case('2.5', 'Ping with 126 bytes', 'Control frames carry at most 125 bytes: 1002 at the length byte.')
c.frame(op=9, payload=b'\xfe' * 126, log=False); c.error('WS_CONTROL_FRAME_TOO_LONG', 1002, 1); cases.append(c)
c = Case('2.6', 'Unsolicited pong', 'A pong nobody asked for is accepted and not answered.')
c.frame(op=10, payload='unsolicited'); c.expect('pong "unsolicited"'); cases.append(c)
c = Case('2.7', 'Unsolicited pong, then a ping', 'Only the ping is answered.')
c.frame(op=10, payload='p1'); c.expect('pong "p1"'); c.frame(op=9, payload='p2'); c.expect('ping "p2"', 'sent pong "p2"'); cases.append(c)
c = Case('2.8', 'Ten pings', 'Each one answered in order.')
for i in range(10):
    c.frame(op=9, payload='ping %d' % i); c.expect('ping "ping %d"' % i, 'sent pong "ping %d"' % i)
cases.append(c)
c = Case('2.9', 'Fragmented ping', 'Control frames must not be fragmented.')
c.frame(fin=False, op=9, payload='x', log=False); c.error('WS_FRAGMENTED_CONTROL_FRAME', 1002, 0); cases.append(c)
c = Case('2.10', 'Ping with autoPong off', 'The ping is reported and left for the application to answer.', autoPong='off')
c.frame(op=9, payload='quiet'); c.expect('ping "quiet"'); cases.append(c)
c = Case('2.11', 'Ping with a 64-bit length of 5', 'A control length over 125 in the first byte is refused even when the value is small.')
c.frame(op=9, payload='hello', bits=64, log=False); c.error('WS_CONTROL_FRAME_TOO_LONG', 1002, 1); cases.append(c)
write('02-ping-pong.md', 'Autobahn group 2: ping and pong', 'Pings are answered with pongs carrying the same payload; control frames are short and whole.', cases)

# ---------------------------------------------------------------- 3 reserved bits
cases = []
for n, rsv in enumerate([4, 2, 1, 6, 5, 3, 7], 1):
    c = Case('3.%d' % n, 'RSV bits %s on a text frame' % format(rsv, '03b'), 'No extension is negotiated: any RSV bit fails the connection at the first byte.')
    c.frame(op=1, payload='Hello', rsv=rsv, log=False); c.error('WS_UNEXPECTED_RSV', 1002, 0); cases.append(c)
c = Case('3.8', 'RSV1 on a ping', 'Even with permessage-deflate, RSV1 never marks a control frame.', deflate='permessage-deflate')
c.frame(op=9, payload='x', rsv=4, log=False); c.error('WS_UNEXPECTED_RSV', 1002, 0); cases.append(c)
c = Case('3.9', 'RSV2 after a good message', 'The first message is delivered, the frame with RSV2 fails, and the message after it is never delivered.')
c.frame(op=1, payload='before'); c.expect(text('before'))
s = len(c.data); c.frame(op=1, payload='bad', rsv=2, log=False); c.error('WS_UNEXPECTED_RSV', 1002, s)
c.frame(op=1, payload='after'); cases.append(c)
c = Case('3.10', 'RSV1 on a continuation frame', 'With permessage-deflate, RSV1 is only allowed on the first frame of a message.', deflate='permessage-deflate')
c.frame(fin=False, op=1, payload='ab'); s = len(c.data); c.frame(op=0, payload='cd', rsv=4, log=False); c.error('WS_UNEXPECTED_RSV', 1002, s); cases.append(c)
write('03-reserved-bits.md', 'Autobahn group 3: reserved bits', 'RSV1–3 must be 0 unless an extension gives them a meaning.', cases)

# ---------------------------------------------------------------- 4 opcodes
cases = []
n = 1
for op in [3, 4, 5, 6, 7]:
    c = Case('4.1.%d' % n, 'Reserved data opcode %d' % op, 'Opcodes 3–7 are reserved for future data frames: 1002.')
    c.frame(op=1, payload='ok'); c.expect(text('ok')); s = len(c.data)
    c.frame(op=op, payload='x', log=False); c.error('WS_RESERVED_OPCODE', 1002, s); c.frame(op=9, payload='late'); cases.append(c); n += 1
n = 1
for op in [11, 12, 13, 14, 15]:
    c = Case('4.2.%d' % n, 'Reserved control opcode %d' % op, 'Opcodes 11–15 are reserved for future control frames: 1002.')
    c.frame(op=op, payload=b'', log=False); c.error('WS_RESERVED_OPCODE', 1002, 0); c.frame(op=1, payload='late'); cases.append(c); n += 1
write('04-opcodes.md', 'Autobahn group 4: opcodes', 'A reserved opcode fails the connection; nothing after it is delivered.', cases)

# ---------------------------------------------------------------- 5 fragmentation
cases = []
c = Case('5.1', 'Fragmented ping', 'Control frames cannot be fragmented.')
c.frame(fin=False, op=9, payload='frag1', log=False); c.error('WS_FRAGMENTED_CONTROL_FRAME', 1002, 0); cases.append(c)
c = Case('5.2', 'Fragmented pong', 'Control frames cannot be fragmented.')
c.frame(fin=False, op=10, payload='frag1', log=False); c.error('WS_FRAGMENTED_CONTROL_FRAME', 1002, 0); cases.append(c)
c = Case('5.3', 'Text in two fragments', 'A message is the concatenation of its fragments.')
c.frame(fin=False, op=1, payload='frag1'); c.frame(op=0, payload='frag2'); c.expect(text('frag1frag2')); cases.append(c)
c = Case('5.4', 'Binary in three fragments', 'Continuation frames carry opcode 0.')
c.frame(fin=False, op=2, payload=b'\x01'); c.frame(fin=False, op=0, payload=b'\x02'); c.frame(op=0, payload=b'\x03'); c.expect(binary(b'\x01\x02\x03')); cases.append(c)
c = Case('5.5', 'Text in 1-byte fragments', 'Eleven fragments of one byte each.')
for i, ch in enumerate('Hello World'):
    c.frame(fin=i == 10, op=1 if i == 0 else 0, payload=ch)
c.expect(text('Hello World')); cases.append(c)
c = Case('5.6', 'Ping between fragments', 'Control frames may be injected in the middle of a fragmented message; the pong goes out at once.')
c.frame(fin=False, op=1, payload='fragment1'); c.frame(op=9, payload='ping payload'); c.expect('ping "ping payload"', 'sent pong "ping payload"')
c.frame(op=0, payload='fragment2'); c.expect(text('fragment1fragment2')); cases.append(c)
c = Case('5.7', 'Pong between fragments', 'An unsolicited pong in the middle of a message.')
c.frame(fin=False, op=1, payload='fragment1'); c.frame(op=10, payload='pong payload'); c.expect('pong "pong payload"')
c.frame(op=0, payload='fragment2'); c.expect(text('fragment1fragment2')); cases.append(c)
c = Case('5.8', 'Continuation without a start', 'A continuation frame with nothing to continue: 1002.')
c.frame(op=0, payload='non-continuation payload', log=False); c.error('WS_UNEXPECTED_CONTINUATION', 1002, 0); cases.append(c)
c = Case('5.9', 'Non-final continuation without a start', 'FIN clear changes nothing.')
c.frame(fin=False, op=0, payload='fragment1', log=False); c.error('WS_UNEXPECTED_CONTINUATION', 1002, 0); cases.append(c)
c = Case('5.10', 'Continuation after a whole message', 'The message ended with FIN; a continuation after it has nothing to continue.')
c.frame(op=1, payload='whole'); c.expect(text('whole')); s = len(c.data)
c.frame(op=0, payload='more', log=False); c.error('WS_UNEXPECTED_CONTINUATION', 1002, s); cases.append(c)
c = Case('5.11', 'New text frame inside a fragmented message', 'A data frame with a non-zero opcode before the message ended: 1002.')
c.frame(fin=False, op=1, payload='fragment1'); s = len(c.data); c.frame(op=1, payload='fragment2', log=False); c.error('WS_EXPECTED_CONTINUATION', 1002, s); cases.append(c)
c = Case('5.12', 'New binary frame inside a fragmented message', 'The same with a binary frame.')
c.frame(fin=False, op=2, payload=b'\x01'); s = len(c.data); c.frame(fin=False, op=2, payload=b'\x02', log=False); c.error('WS_EXPECTED_CONTINUATION', 1002, s); cases.append(c)
c = Case('5.13', 'Empty fragments', 'Fragments may be empty, the first and the last included.')
c.frame(fin=False, op=1, payload=''); c.frame(fin=False, op=0, payload='middle'); c.frame(op=0, payload=''); c.expect(text('middle')); cases.append(c)
c = Case('5.14', 'Fragmented message, then a whole one', 'State is reset between messages.')
c.frame(fin=False, op=1, payload='a'); c.frame(op=0, payload='b'); c.expect(text('ab')); c.frame(op=2, payload=b'\x00'); c.expect(binary(b'\x00')); cases.append(c)
c = Case('5.15', 'Close between fragments', 'A close in the middle of a message ends the connection; the partial message is dropped.')
c.frame(fin=False, op=1, payload='partial'); c.close_ok(1000, ''); c.frame(op=0, payload='never'); cases.append(c)
write('05-fragmentation.md', 'Autobahn group 5: fragmentation', 'Messages split into continuation frames, with control frames between them, and the order errors.', cases)

# ---------------------------------------------------------------- 6 UTF-8
def valid_prefix(b):
    import codecs
    # b is a valid prefix of some UTF-8 string iff some completion of its tail decodes
    try:
        b.decode('utf-8'); return True
    except UnicodeDecodeError as e:
        if e.end != len(b) and e.start + 4 < len(b): pass
    for extra in range(1, 4):
        for comp in itertools.product([0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf], repeat=extra):
            try:
                (b + bytes(comp)).decode('utf-8'); return True
            except UnicodeDecodeError:
                pass
    return False

def first_bad(b):
    for k in range(1, len(b) + 1):
        if not valid_prefix(b[:k]): return k - 1
    return -1

VECTORS = [
 ('6.2', 'Hello-µ@ßöäüàá-UTF-8!!', 'Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!'.encode()),
 ('6.3', 'κόσμε followed by a UTF-16 surrogate', bytes.fromhex('cebae1bdb9cf83cebcceb5eda080656469746564')),
 ('6.5.1', 'κόσμε', bytes.fromhex('cebae1bdb9cf83cebcceb5')),
 ('6.5.2', 'κόσμε with a 4-byte character', bytes.fromhex('cebae1bdb9cf83cebcceb5f0a08080')),
 ('6.7.1', 'first 1-byte sequence U+0000', bytes.fromhex('00')),
 ('6.7.2', 'first 2-byte sequence U+0080', bytes.fromhex('c280')),
 ('6.7.3', 'first 3-byte sequence U+0800', bytes.fromhex('e0a080')),
 ('6.7.4', 'first 4-byte sequence U+10000', bytes.fromhex('f0908080')),
 ('6.8.1', 'first 5-byte sequence (not UTF-8)', bytes.fromhex('f888808080')),
 ('6.8.2', 'first 6-byte sequence (not UTF-8)', bytes.fromhex('fc8480808080')),
 ('6.9.1', 'last 1-byte sequence U+007F', bytes.fromhex('7f')),
 ('6.9.2', 'last 2-byte sequence U+07FF', bytes.fromhex('dfbf')),
 ('6.9.3', 'last 3-byte sequence U+FFFF', bytes.fromhex('efbfbf')),
 ('6.9.4', 'last code point U+10FFFF', bytes.fromhex('f48fbfbf')),
 ('6.10.1', 'last 4-byte pattern U+1FFFFF (over U+10FFFF)', bytes.fromhex('f7bfbfbf')),
 ('6.10.2', 'last 5-byte pattern', bytes.fromhex('fbbfbfbfbf')),
 ('6.10.3', 'last 6-byte pattern', bytes.fromhex('fdbfbfbfbfbf')),
 ('6.11.1', 'U+D7FF', bytes.fromhex('ed9fbf')),
 ('6.11.2', 'U+E000', bytes.fromhex('ee8080')),
 ('6.11.3', 'U+FFFD', bytes.fromhex('efbfbd')),
 ('6.11.4', 'U+10FFFF', bytes.fromhex('f48fbfbf')),
 ('6.11.5', 'U+110000', bytes.fromhex('f4908080')),
 ('6.12.1', 'first continuation byte 0x80', bytes.fromhex('80')),
 ('6.12.2', 'last continuation byte 0xbf', bytes.fromhex('bf')),
 ('6.12.3', '2 continuation bytes', bytes.fromhex('80bf')),
 ('6.12.4', '3 continuation bytes', bytes.fromhex('80bf80')),
 ('6.12.5', '4 continuation bytes', bytes.fromhex('80bf80bf')),
 ('6.12.6', '5 continuation bytes', bytes.fromhex('80bf80bf80')),
 ('6.12.7', '6 continuation bytes', bytes.fromhex('80bf80bf80bf')),
 ('6.12.8', 'all 64 continuation bytes', bytes(range(0x80, 0xc0))),
 ('6.13.1', 'lonely 2-byte starts, each followed by a space', b''.join(bytes([b, 0x20]) for b in range(0xc0, 0xe0))),
 ('6.13.2', 'lonely 3-byte starts', b''.join(bytes([b, 0x20]) for b in range(0xe0, 0xf0))),
 ('6.13.3', 'lonely 4-byte starts', b''.join(bytes([b, 0x20]) for b in range(0xf0, 0xf8))),
 ('6.13.4', 'lonely 5-byte starts', b''.join(bytes([b, 0x20]) for b in range(0xf8, 0xfc))),
 ('6.13.5', 'lonely 6-byte starts', b''.join(bytes([b, 0x20]) for b in range(0xfc, 0xfe))),
 ('6.14.1', '2-byte sequence missing its last byte (C0)', bytes.fromhex('c0')),
 ('6.14.2', '3-byte sequence missing its last byte (E0 80)', bytes.fromhex('e080')),
 ('6.14.3', '4-byte sequence missing its last byte (F0 80 80)', bytes.fromhex('f08080')),
 ('6.14.4', '5-byte sequence missing its last byte', bytes.fromhex('f8808080')),
 ('6.14.5', '6-byte sequence missing its last byte', bytes.fromhex('fc80808080')),
 ('6.14.6', '2-byte sequence missing its last byte (DF)', bytes.fromhex('df')),
 ('6.14.7', '3-byte sequence missing its last byte (EF BF)', bytes.fromhex('efbf')),
 ('6.14.8', '4-byte sequence missing its last byte (F7 BF BF)', bytes.fromhex('f7bfbf')),
 ('6.14.9', '5-byte sequence missing its last byte', bytes.fromhex('fbbfbfbf')),
 ('6.14.10', '6-byte sequence missing its last byte', bytes.fromhex('fdbfbfbfbf')),
 ('6.14.11', 'valid 3-byte sequence cut short at the end of the message (E2 82)', bytes.fromhex('48e282')),
 ('6.15.1', 'concatenated incomplete sequences', bytes.fromhex('c0e080f08080f8808080fc80808080dfefbff7bfbffbbfbfbffdbfbfbfbf')),
 ('6.16.1', 'impossible byte FE', bytes.fromhex('fe')),
 ('6.16.2', 'impossible byte FF', bytes.fromhex('ff')),
 ('6.16.3', 'FE FE FF FF', bytes.fromhex('fefeffff')),
 ('6.17.1', 'overlong slash, 2 bytes', bytes.fromhex('c0af')),
 ('6.17.2', 'overlong slash, 3 bytes', bytes.fromhex('e080af')),
 ('6.17.3', 'overlong slash, 4 bytes', bytes.fromhex('f08080af')),
 ('6.17.4', 'overlong slash, 5 bytes', bytes.fromhex('f8808080af')),
 ('6.17.5', 'overlong slash, 6 bytes', bytes.fromhex('fc80808080af')),
 ('6.18.1', 'maximum overlong, 2 bytes', bytes.fromhex('c1bf')),
 ('6.18.2', 'maximum overlong, 3 bytes', bytes.fromhex('e09fbf')),
 ('6.18.3', 'maximum overlong, 4 bytes', bytes.fromhex('f08fbfbf')),
 ('6.18.4', 'maximum overlong, 5 bytes', bytes.fromhex('f887bfbfbf')),
 ('6.18.5', 'maximum overlong, 6 bytes', bytes.fromhex('fc83bfbfbfbf')),
 ('6.19.1', 'overlong NUL, 2 bytes', bytes.fromhex('c080')),
 ('6.19.2', 'overlong NUL, 3 bytes', bytes.fromhex('e08080')),
 ('6.19.3', 'overlong NUL, 4 bytes', bytes.fromhex('f0808080')),
 ('6.19.4', 'overlong NUL, 5 bytes', bytes.fromhex('f880808080')),
 ('6.19.5', 'overlong NUL, 6 bytes', bytes.fromhex('fc8080808080')),
 ('6.20.1', 'single surrogate U+D800', bytes.fromhex('eda080')),
 ('6.20.2', 'single surrogate U+DB7F', bytes.fromhex('edadbf')),
 ('6.20.3', 'single surrogate U+DB80', bytes.fromhex('edae80')),
 ('6.20.4', 'single surrogate U+DBFF', bytes.fromhex('edafbf')),
 ('6.20.5', 'single surrogate U+DC00', bytes.fromhex('edb080')),
 ('6.20.6', 'single surrogate U+DF80', bytes.fromhex('edbe80')),
 ('6.20.7', 'single surrogate U+DFFF', bytes.fromhex('edbfbf')),
 ('6.21.1', 'paired surrogates U+D800 U+DC00', bytes.fromhex('eda080edb080')),
 ('6.21.2', 'paired surrogates U+D800 U+DFFF', bytes.fromhex('eda080edbfbf')),
 ('6.21.3', 'paired surrogates U+DB7F U+DC00', bytes.fromhex('edadbfedb080')),
 ('6.21.4', 'paired surrogates U+DB7F U+DFFF', bytes.fromhex('edadbfedbfbf')),
 ('6.21.5', 'paired surrogates U+DB80 U+DC00', bytes.fromhex('edae80edb080')),
 ('6.21.6', 'paired surrogates U+DB80 U+DFFF', bytes.fromhex('edae80edbfbf')),
 ('6.21.7', 'paired surrogates U+DBFF U+DC00', bytes.fromhex('edafbfedb080')),
 ('6.21.8', 'paired surrogates U+DBFF U+DFFF', bytes.fromhex('edafbfedbfbf')),
 ('6.22.1', 'noncharacter U+FFFE (valid UTF-8)', bytes.fromhex('efbfbe')),
 ('6.22.2', 'noncharacter U+FFFF (valid UTF-8)', bytes.fromhex('efbfbf')),
 ('6.22.3', 'noncharacter U+1FFFE', bytes.fromhex('f09fbfbe')),
 ('6.22.4', 'noncharacter U+10FFFF', bytes.fromhex('f48fbfbf')),
 ('6.22.5', 'noncharacters U+FDD0..U+FDEF', b''.join(chr(c).encode() for c in range(0xfdd0, 0xfdf0))),
 ('6.23.1', 'U+FEFF byte-order mark', bytes.fromhex('efbbbf')),
 ('6.23.2', 'U+FFFD replacement character', bytes.fromhex('efbfbd')),
 ('6.23.3', 'Greek, Cyrillic, CJK and an emoji', 'Καλημέρα κόσμε, Здравствуй, 日本語, 😀'.encode()),
]

cases = []
def utf8_case(num, title, data, split):
    why = 'From Markus Kuhn\'s UTF-8 decoder test; %s.' % ('one text frame' if not split else 'one byte per fragment, so the failure must come from the fragment that holds the bad byte')
    c = Case(num + ('.whole' if not split else '.split'), title + (' (split)' if split else ''), why)
    bad = first_bad(data)
    try:
        data.decode('utf-8'); complete = True
    except UnicodeDecodeError:
        complete = False
    if not split:
        start = len(c.data)
        keyless_len = len(data)
        if bad == -1 and complete:
            c.frame(op=1, payload=data); c.expect(text(data))
        else:
            # header size
            hs = 2 + (2 if len(data) >= 126 else 0) + 4
            c.frame(op=1, payload=data, log=False)
            if bad >= 0: c.error('WS_INVALID_UTF8', 1007, start + hs + bad)
            else: c.error('WS_INVALID_UTF8', 1007, len(c.data))
    else:
        n = len(data)
        for i in range(n):
            b = data[i:i + 1]
            fin = i == n - 1
            if bad >= 0 and i == bad:
                s = len(c.data); c.frame(fin=fin, op=1 if i == 0 else 0, payload=b, log=False)
                c.error('WS_INVALID_UTF8', 1007, s + 6)
                break
            c.frame(fin=fin, op=1 if i == 0 else 0, payload=b, log=not (fin and bad == -1 and not complete))
        if bad == -1:
            if complete: c.expect(text(data))
            else: c.error('WS_INVALID_UTF8', 1007, len(c.data))
    return c

c = Case('6.1.1', 'Empty text message', 'Zero bytes are valid UTF-8.'); c.frame(op=1); c.expect(text(b'')); cases.append(c)
c = Case('6.1.2', 'Text message of empty fragments', 'Three empty fragments.'); c.frame(fin=False, op=1); c.frame(fin=False, op=0); c.frame(op=0); c.expect(text(b'')); cases.append(c)
for num, title, data in VECTORS:
    cases.append(utf8_case(num, title, data, False))
    cases.append(utf8_case(num, title, data, True))
c = Case('6.4.1', 'Fail fast: invalid bytes in the second fragment, third never needed', 'The first fragment is valid, the second holds an invalid sequence: 1007 at that byte, the third fragment is ignored.')
c.frame(fin=False, op=1, payload=bytes.fromhex('cebae1bdb9cf83cebcceb5')); s = len(c.data)
c.frame(fin=False, op=0, payload=bytes.fromhex('f4908080'), log=False); c.error('WS_INVALID_UTF8', 1007, s + 6 + 1)
c.frame(op=0, payload=b'edited'); cases.append(c)
c = Case('6.4.2', 'Fail fast inside one frame', 'A 21-byte text frame whose 12th payload byte is invalid fails there, before the rest of the payload arrives (the split runs check it at every chunk boundary).')
c.frame(op=1, payload=bytes.fromhex('cebae1bdb9cf83cebcceb5f4908080656469746564'), log=False); c.error('WS_INVALID_UTF8', 1007, 6 + 12)
cases.append(c)
c = Case('6.4.3', 'Valid text after a failed one is never delivered', 'Nothing is delivered after a protocol error.')
c.frame(op=1, payload=b'\xff', log=False); c.error('WS_INVALID_UTF8', 1007, 6); c.frame(op=1, payload='after'); cases.append(c)
c = Case('6.4.4', 'Binary messages are not checked', 'Invalid UTF-8 in a binary message is just bytes.')
c.frame(op=2, payload=b'\xff\xfe\xc0'); c.expect(binary(b'\xff\xfe\xc0')); cases.append(c)
c = Case('6.4.5', 'A long valid text message with a multibyte character on a chunk boundary', 'Exercises the native fast path and the boundary carry-over.')
p = ('é' * 300 + '日本' * 100 + '😀' * 50).encode(); c.frame(op=1, payload=p); c.expect(text(p)); cases.append(c)
c = Case('6.4.6', 'A long text message invalid near its end', 'The native validator finds the problem, the byte walk names the offset.')
p = ('a' * 200).encode() + b'\xed\xa0\x80' + b'z'; s = len(c.data); c.frame(op=1, payload=p, log=False); c.error('WS_INVALID_UTF8', 1007, s + 8 + 201); cases.append(c)
write('06-utf8.md', 'Autobahn group 6: UTF-8 handling', 'Text messages must be valid UTF-8 (RFC 3629): checked incrementally across fragments, failing (1007) at the first byte that cannot begin or continue a valid sequence. Vectors from Markus Kuhn\'s UTF-8 decoder capability and stress test, each whole and one byte per fragment.', cases)

# ---------------------------------------------------------------- 7 close
cases = []
c = Case('7.1.1', 'Close after a message', 'The message is delivered, the close echoed, TCP ended by the server.')
c.frame(op=1, payload='Hello World'); c.expect(text('Hello World')); c.close_ok(1000, ''); cases.append(c)
c = Case('7.1.2', 'Two closes', 'After the close nothing is read.'); c.close_ok(1000, ''); c.frame(op=8, payload=struct.pack('>H', 1000)); cases.append(c)
c = Case('7.1.3', 'Ping after close', 'Not answered.'); c.close_ok(1000, ''); c.frame(op=9, payload='ping'); cases.append(c)
c = Case('7.1.4', 'Text after close', 'Not delivered.'); c.close_ok(1000, ''); c.frame(op=1, payload='text'); cases.append(c)
c = Case('7.1.5', 'Close in the middle of a fragmented message', 'The fragment before it is dropped, the one after never read.')
c.frame(fin=False, op=1, payload='fragment1'); c.close_ok(1000, ''); c.frame(op=0, payload='fragment2'); cases.append(c)
c = Case('7.3.1', 'Close without payload', 'No status code: reported as 1005 locally, echoed as an empty close.'); c.close_ok(None); cases.append(c)
c = Case('7.3.2', 'Close with a 1-byte payload', 'A status code is two bytes: 1002.'); c.frame(op=8, payload=b'\x03', log=False); c.error('WS_INVALID_CLOSE_PAYLOAD', 1002, 6); cases.append(c)
c = Case('7.3.3', 'Close with a code and no reason', 'Echoed.'); c.close_ok(1000, ''); cases.append(c)
c = Case('7.3.4', 'Close with a code and a reason', 'The code is echoed; the reason is reported.'); c.close_ok(1000, 'Hello World!'); cases.append(c)
c = Case('7.3.5', 'Close with a 123-byte reason', 'The largest reason (125 bytes of payload).'); c.close_ok(1000, '*' * 123); cases.append(c)
c = Case('7.3.6', 'Close with a 124-byte reason', 'A 126-byte control payload: 1002.'); c.frame(op=8, payload=struct.pack('>H', 1000) + b'*' * 124, log=False); c.error('WS_CONTROL_FRAME_TOO_LONG', 1002, 1); cases.append(c)
c = Case('7.5.1', 'Close reason that is not UTF-8', 'An invalid reason fails with 1007.')
p = struct.pack('>H', 1000) + bytes.fromhex('cebae1bdb9cf83cebcceb5eda080656469746564'); c.frame(op=8, payload=p, log=False); c.error('WS_INVALID_UTF8', 1007, 6 + 2 + first_bad(p[2:])); cases.append(c)
n = 1
for code in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]:
    c = Case('7.7.%d' % n, 'Valid close code %d' % code, 'A code a peer may send: echoed.'); c.close_ok(code, ''); cases.append(c); n += 1
n = 1
for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]:
    c = Case('7.9.%d' % n, 'Invalid close code %d' % code, 'Reserved, unassigned or out of range: 1002.')
    c.frame(op=8, payload=struct.pack('>H', code), log=False); c.error('WS_INVALID_CLOSE_CODE', 1002, 6); cases.append(c); n += 1
write('07-close.md', 'Autobahn group 7: close handling', 'The closing handshake: valid codes (1000–1003, 1007–1014, 3000–4999) are echoed, invalid ones (0–999, 1004–1006, 1015, 1016–2999, 5000+) fail with 1002, a bad reason with 1007, and nothing is read after a close.', cases)

# ---------------------------------------------------------------- 12-13 compression
cases = []
def deflate_msgs(msgs, wbits, takeover, level=6):
    out = []
    co = zlib.compressobj(level, zlib.DEFLATED, -wbits)
    for m in msgs:
        if not takeover: co = zlib.compressobj(level, zlib.DEFLATED, -wbits)
        d = co.compress(m) + co.flush(zlib.Z_SYNC_FLUSH)
        assert d.endswith(b'\x00\x00\xff\xff')
        out.append(d[:-4])
    return out

SIZES = [16, 64, 256, 1024, 4096, 32768, 131072]
def payload(size, seed):
    words = ['wire', 'play', 'frame', 'socket', 'deflate', 'κόσμε', 'hello', 'world']
    s = []
    i = seed
    while len(' '.join(s).encode()) < size:
        s.append(words[(i * 7 + len(s) * 3) % len(words)]); i += 1
    b = ' '.join(s).encode()[:size]
    while True:
        try: b.decode(); return b
        except UnicodeDecodeError: b = b[:-1]

n = 0
for wbits in [9, 11, 13, 15]:
    for takeover in [True, False]:
        for size in [64, 4096, 20000]:
            n += 1
            ext = 'permessage-deflate; client_max_window_bits=%d%s' % (wbits, '' if takeover else '; client_no_context_takeover')
            c = Case('12.%d' % n, 'Compressed text, client window %d bits, %s, %d bytes' % (wbits, 'context takeover' if takeover else 'no context takeover', size),
                     'Three messages compressed by one client deflate stream (or a fresh one each, without takeover) are inflated in order.', deflate=ext)
            msgs = [payload(size, i) for i in range(3)]
            for m, d in zip(msgs, deflate_msgs(msgs, wbits, takeover)):
                c.frame(op=1, payload=d, rsv=4); c.expect(text(m))
            cases.append(c)
n = 0
for wbits in [9, 15]:
    for takeover in [True, False]:
        n += 1
        ext = 'permessage-deflate; client_max_window_bits=%d%s' % (wbits, '' if takeover else '; client_no_context_takeover')
        c = Case('13.%d' % n, 'Compressed binary in fragments, window %d, %s' % (wbits, 'takeover' if takeover else 'no takeover'),
                 'The compressed payload is split into fragments (RSV1 on the first only), with a ping in between.', deflate=ext)
        msgs = [bytes((i * 31 + j) % 251 for j in range(5000)) for i in range(2)]
        for m, d in zip(msgs, deflate_msgs(msgs, wbits, takeover)):
            third = len(d) // 3
            c.frame(fin=False, op=2, payload=d[:third], rsv=4)
            c.frame(op=9, payload='mid'); c.expect('ping "mid"', 'sent pong "mid"')
            c.frame(fin=False, op=0, payload=d[third:2 * third])
            c.frame(op=0, payload=d[2 * third:]); c.expect(binary(m))
        cases.append(c)
c = Case('13.5', 'Empty compressed message', 'An empty message compresses to a single 00 byte (RFC 7692 §7.2.3.6).', deflate='permessage-deflate')
c.frame(op=1, payload=b'\x00', rsv=4); c.expect(text(b'')); cases.append(c)
c = Case('13.6', 'Uncompressed message on a compressing connection', 'RSV1 clear: the message is taken as it is.', deflate='permessage-deflate')
c.frame(op=1, payload='plain'); c.expect(text('plain')); cases.append(c)
c = Case('13.7', 'Compressed text that inflates to invalid UTF-8', 'Checked after inflation: 1007.', deflate='permessage-deflate')
d = deflate_msgs([b'ok \xff'], 15, True)[0]; c.frame(op=1, payload=d, rsv=4); c.expect('error WS_INVALID_UTF8 1007 @-1', 'sent close 1007', 'end'); c.dead = True; cases.append(c)
c = Case('13.8', 'Garbage marked as compressed', 'Data that is not a deflate stream: 1007.', deflate='permessage-deflate')
c.frame(op=2, payload=b'\xff\xff\xff\xff\xff', rsv=4); c.expect('error WS_INFLATE_FAILED 1007 @-1', 'sent close 1007', 'end'); c.dead = True; cases.append(c)
c = Case('13.9', 'Zip bomb', '1 MiB of zeros compresses to about 1 KiB; with maxPayload 64 KiB the inflation stops at the limit and the connection closes with 1009.', deflate='permessage-deflate', maxPayload='65536')
d = deflate_msgs([b'\x00' * (1 << 20)], 15, True)[0]; c.frame(op=2, payload=d, rsv=4); c.expect('error WS_MESSAGE_TOO_BIG 1009 @-1', 'sent close 1009', 'end'); c.dead = True; cases.append(c)
c = Case('13.10', 'Messages after a compressed one keep their order', 'A plain message and a ping behind a compressed message wait for its inflation.', deflate='permessage-deflate')
d = deflate_msgs([b'first'], 15, True)[0]; c.frame(op=1, payload=d, rsv=4); c.expect(text('first'))
c.frame(op=1, payload='second'); c.expect(text('second')); c.frame(op=9, payload='p'); c.expect('ping "p"', 'sent pong "p"'); cases.append(c)
write('12-13-compression.md', 'Autobahn groups 12 and 13: permessage-deflate', 'Compressed messages (RFC 7692) over a grid of client window sizes and context-takeover settings, fragmented compressed messages, and the failures: invalid data (1007), invalid UTF-8 after inflation (1007), a zip bomb (1009).', cases)
print('ok')
