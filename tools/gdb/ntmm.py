"""ntmm.py: NT-style GDB commands for the ntmm kernel (loaded by tools/gdbinit).

  stop        the bugcheck code, its name and parameters (after a break in KeBugCheckEx)
  ksym ADDR   the kernel function containing ADDR
"""
import gdb


def _u32(expression):
    return int(gdb.parse_and_eval(expression)) & 0xFFFFFFFF


class StopCommand(gdb.Command):
    """Show the stop code and parameters of the bugcheck in progress."""

    def __init__(self):
        super().__init__("stop", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        data = [_u32("KiBugCheckData[%d]" % i) for i in range(5)]
        if data[0] == 0:
            frame = gdb.selected_frame()
            if frame.name() in ("KeBugCheckEx", "KeBugCheckWithTf"):
                data = [_u32("BugCheckCode")] + [_u32("P%d" % i) for i in range(1, 5)]
        if data[0] == 0:
            print("no bugcheck in progress")
            return
        name = gdb.parse_and_eval("KeBugCheckName(%d)" % data[0]).string()
        print("*** STOP: 0x%08X (0x%08X,0x%08X,0x%08X,0x%08X)\n%s" % (tuple(data) + (name,)))


class KsymCommand(gdb.Command):
    """ksym ADDRESS: the kernel function containing ADDRESS."""

    def __init__(self):
        super().__init__("ksym", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        address = _u32(argument)
        print(gdb.execute("info symbol 0x%x" % address, to_string=True).strip())


StopCommand()
KsymCommand()
