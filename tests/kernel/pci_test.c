/*
 * pci_test.c: PCI configuration space on QEMU's own devices through
 * HalGetBusDataByOffset and HalSetBusDataByOffset (the exact accesses each
 * makes are checked on the host, tests/host/pci_test.c).
 */
#include "ktest.h"
#include <ke.h>

#define HOST_BRIDGE_DEVICE 0   /* 00:00.0, the i440FX on QEMU's pc machine */
#define ISA_BRIDGE_DEVICE  1   /* 00:01.0, the PIIX3 */
#define EMPTY_DEVICE       31  /* 00:1F.7: nothing there */

static ULONG SlotOf(ULONG Device, ULONG Function)
{
    PCI_SLOT_NUMBER Slot;

    Slot.u.AsULONG = 0;
    Slot.u.bits.DeviceNumber = Device;
    Slot.u.bits.FunctionNumber = Function;
    return Slot.u.AsULONG;
}

/* A machine without PCI (-machine isapc) has no device there to test against. */
static VOID RequireDevice(ULONG Slot)
{
    USHORT Vendor = PCI_INVALID_VENDORID;

    HalGetBusDataByOffset(PCIConfiguration, 0, Slot, &Vendor, 0, sizeof(Vendor));
    if (Vendor == PCI_INVALID_VENDORID)
        KT_SKIP("no PCI device in that slot (-machine isapc has no PCI)");
}

KTEST(pci, byte_and_word_reads_match_the_header_read_whole)
{
    ULONG Slot = SlotOf(HOST_BRIDGE_DEVICE, 0);
    PCI_COMMON_CONFIG Whole;
    PUCHAR Bytes = (PUCHAR)&Whole;

    RequireDevice(Slot);
    KT_ASSERT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, Slot, &Whole, 0, sizeof(Whole)), sizeof(Whole));
    for (ULONG Offset = 0; Offset < sizeof(Whole); Offset++) {
        UCHAR Byte = 0;
        USHORT Word = 0;

        KT_ASSERT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, Slot, &Byte, Offset, 1), 1);
        KT_EXPECT_EQ(Byte, Bytes[Offset]);
        if (Offset + 1 < sizeof(Whole)) {
            KT_ASSERT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, Slot, &Word, Offset, 2), 2);
            KT_EXPECT_EQ(Word, Bytes[Offset] | (Bytes[Offset + 1] << 8));
        }
    }
}

KTEST(pci, writing_the_command_byte_leaves_the_status_register)
{
    ULONG Slot = SlotOf(ISA_BRIDGE_DEVICE, 0);
    PCI_COMMON_CONFIG Before, After;
    UCHAR Command;

    RequireDevice(Slot);
    KT_ASSERT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, Slot, &Before, 0, sizeof(Before)), sizeof(Before));
    Command = (UCHAR)Before.Command;
    KT_EXPECT_EQ(HalSetBusDataByOffset(PCIConfiguration, 0, Slot, &Command, FIELD_OFFSET(PCI_COMMON_CONFIG, Command),
                                       sizeof(Command)),
                 sizeof(Command));
    KT_ASSERT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, Slot, &After, 0, sizeof(After)), sizeof(After));
    KT_EXPECT_EQ(After.Command, Before.Command);
    KT_EXPECT_EQ(After.Status, Before.Status);
    KT_EXPECT_EQ(After.VendorID, Before.VendorID);
}

KTEST(pci, an_empty_slot_takes_no_write_and_reads_only_as_its_vendor_id)
{
    ULONG Slot = SlotOf(EMPTY_DEVICE, 7), Value = 0x12345678;
    USHORT Vendor = 0;

    KT_EXPECT_EQ(HalSetBusDataByOffset(PCIConfiguration, 0, Slot, &Value, FIELD_OFFSET(PCI_COMMON_CONFIG, Command),
                                       sizeof(Value)),
                 0);
    KT_EXPECT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, Slot, &Value, FIELD_OFFSET(PCI_COMMON_CONFIG, Command),
                                       sizeof(Value)),
                 0);
    KT_EXPECT_EQ(Value, 0x12345678);
    KT_EXPECT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, Slot, &Vendor, 0, sizeof(Vendor)), sizeof(Vendor));
    KT_EXPECT_EQ(Vendor, PCI_INVALID_VENDORID);
}

KTEST(pci, configuration_access_at_dispatch_level_returns_at_it)
{
    PCI_COMMON_CONFIG Config;
    KIRQL OldIrql;

    RequireDevice(SlotOf(HOST_BRIDGE_DEVICE, 0));
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    KT_EXPECT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, SlotOf(HOST_BRIDGE_DEVICE, 0), &Config, 0, sizeof(Config)),
                 sizeof(Config));
    KT_EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(OldIrql);
    KT_EXPECT(Config.VendorID != PCI_INVALID_VENDORID);
}
