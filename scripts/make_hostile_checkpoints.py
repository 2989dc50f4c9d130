#!/usr/bin/python3
"""Hostile checkpoint files for tests/adversarial/test_checkpoint_files.cpp (and seeds for
tests/fuzz/fuzz_pickle.cpp), written into tests/fixtures/io/hostile/. Plain Python (no torch):
each file is a zip-and-pickle archive as torch.save lays it out, with one thing wrong.
"""
import os
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "io", "hostile")


def u(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def tensor_pickle(storage_type="FloatStorage", numel=2, offset=0, size=(2,), stride=(1,)):
    """A pickle of one tensor as torch.save writes it (protocol 2)."""
    def tup(v):
        return b"(" + b"".join(b"\x8a\x08" + struct.pack("<q", x) for x in v) + b"t"
    return (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((" + u("storage") +
            b"ctorch\n" + storage_type.encode() + b"\n" + u("0") + u("cpu") +
            b"\x8a\x08" + struct.pack("<q", numel) + b"tQ" +
            b"\x8a\x08" + struct.pack("<q", offset) + tup(size) + tup(stride) +
            b"\x89ccollections\nOrderedDict\n)RtR.")


def archive(path, records, compress=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compress) as z:
        for name, data in records:
            info = zipfile.ZipInfo("archive/" + name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compress
            z.writestr(info, data)


def write(name, records, **kw):
    archive(os.path.join(OUT, name), records, **kw)


def main():
    os.makedirs(OUT, exist_ok=True)
    version = ("version", b"3\n")
    floats = struct.pack("<2f", 1.5, -2.0)

    # A valid tensor, as a baseline that must load.
    write("valid_tensor.pt", [("data.pkl", tensor_pickle()), ("data/0", floats), version])
    # Code: os.system("echo owned") through REDUCE, and builtins.eval through STACK_GLOBAL.
    write("os_system.pt", [("data.pkl", b"\x80\x02cos\nsystem\n" + u("echo owned") + b"\x85R."),
                           version])
    write("builtins_eval.pt",
          [("data.pkl", b"\x80\x04" + u("builtins") + u("eval") + b"\x93" + u("1+1") + b"\x85R."),
           version])
    # A storage that claims far more elements than its record holds.
    write("storage_beyond_file.pt",
          [("data.pkl", tensor_pickle(numel=10 ** 12)), ("data/0", floats), version])
    # Shapes whose element count or extent overflows 64 bits, or reaches past the storage.
    write("shape_overflow.pt", [("data.pkl", tensor_pickle(size=(2 ** 62, 2 ** 62), stride=(1, 1))),
                                ("data/0", floats), version])
    write("stride_overflow.pt", [("data.pkl", tensor_pickle(size=(3,), stride=(2 ** 62,))),
                                 ("data/0", floats), version])
    write("view_beyond_storage.pt", [("data.pkl", tensor_pickle(size=(2,), stride=(1,), offset=1)),
                                     ("data/0", floats), version])
    # A dtype tensorgrad does not have.
    write("half_storage.pt", [("data.pkl", tensor_pickle(storage_type="HalfStorage")),
                              ("data/0", b"\0" * 4), version])
    # Containers nested 10000 deep; a list that contains itself.
    write("deep_nesting.pt", [("data.pkl", b"\x80\x02" + b"]" * 10000 + b"a" * 9999 + b"."),
                              version])
    write("self_containing_list.pt", [("data.pkl", b"\x80\x02]q\x00h\x00a."), version])
    # One memoized state dict given to two TorchScript objects (repeated, quadratic work).
    obj = b"c__torch__\nModule\n)\x81"
    write("shared_object_state.pt",
          [("data.pkl", b"\x80\x02(" + obj + b"}q\x00b" + obj + b"h\x00bl."), version])
    # A string that claims 2^60 bytes.
    write("huge_string.pt", [("data.pkl", b"\x80\x04\x8d" + struct.pack("<Q", 2 ** 60) + b"x."),
                             version])

    # A zip bomb: 8 MB of zeros deflated to a few KB, whose headers then claim 4 GB (the most a
    # 32-bit size field holds), with a pickle that asks for a storage of exactly that size.
    path = os.path.join(OUT, "zip_bomb.pt")
    numel = (0xFFFFFFF0) // 4
    archive(path, [("data.pkl", tensor_pickle(numel=numel, size=(numel,))),
                   ("data/0", b"\0" * (8 << 20)), version], compress=zipfile.ZIP_DEFLATED)
    data = bytearray(open(path, "rb").read())
    name = b"archive/data/0"
    # Local header: uncompressed size at offset 22; central directory: at offset 24.
    i = 0
    while True:
        i = data.find(b"PK\x03\x04", i)
        if i < 0:
            break
        n = struct.unpack_from("<H", data, i + 26)[0]
        if data[i + 30:i + 30 + n] == name:
            struct.pack_into("<I", data, i + 22, 0xFFFFFFF0)
        i += 4
    i = 0
    while True:
        i = data.find(b"PK\x01\x02", i)
        if i < 0:
            break
        n = struct.unpack_from("<H", data, i + 28)[0]
        if data[i + 46:i + 46 + n] == name:
            struct.pack_into("<I", data, i + 24, 0xFFFFFFF0)
        i += 4
    open(path, "wb").write(bytes(data))

    # A valid file cut short.
    valid = open(os.path.join(OUT, "valid_tensor.pt"), "rb").read()
    open(os.path.join(OUT, "truncated.pt"), "wb").write(valid[: len(valid) // 2])


if __name__ == "__main__":
    main()
