/*
 * pci_test.c: HalGetBusDataByOffset and HalSetBusDataByOffset (kernel/hal/bus.c)
 * on the host, over a simulated configuration mechanism #1 with one device
 * whose Status register clears its error bits when they are written with 1,
 * as PCI's does. The simulation records every data-port access, so the tests
 * see which register bytes each call touched, how wide each access was, and
 * the IRQL it ran at.
 */
#include "ktest.h"
#include <hal.h>
#include <string.h>

#define SIM_ADDRESS_PORT 0xCF8
#define SIM_DATA_PORT    0xCFC
#define SIM_ENABLE       0x80000000u
#define SIM_DEVICE       1                 /* the one device: bus 0, device 1, function 0 */
#define SIM_STATUS       6
#define SIM_STATUS_W1C   0xF900            /* parity, target and master aborts, SERR: write 1 to clear */
#define SIM_STATUS_ERROR 0x2000            /* received master abort, pending */

static ULONG SimAddress;
static UCHAR SimConfig[256];
static BOOLEAN SimTouched[256];            /* register bytes a data-port access covered */
static ULONG SimAccesses, SimBadAccesses;  /* data-port accesses; those not naturally aligned in the port */
static KIRQL SimLowestIrql;

static VOID SimReset(VOID)
{
    memset(SimConfig, 0, sizeof(SimConfig));
    SimConfig[0] = 0x86;                   /* vendor 8086, device 7000: QEMU's PIIX3 */
    SimConfig[1] = 0x80;
    SimConfig[2] = 0x00;
    SimConfig[3] = 0x70;
    SimConfig[4] = 0x03;                   /* Command: I/O and memory decode */
    SimConfig[SIM_STATUS] = 0x00;
    SimConfig[SIM_STATUS + 1] = (SIM_STATUS_ERROR | 0x0200) >> 8;   /* an error pending, medium DEVSEL */
    for (ULONG i = 0x40; i < sizeof(SimConfig); i++)
        SimConfig[i] = (UCHAR)i;
    memset(SimTouched, 0, sizeof(SimTouched));
    SimAccesses = SimBadAccesses = 0;
    SimLowestIrql = HIGH_LEVEL;
}

/* The register byte a data-port byte maps to, or -1 when no device answers at the latched address. */
static LONG SimRegister(USHORT Port)
{
    ULONG Device = (SimAddress >> 11) & 0x1F, Function = (SimAddress >> 8) & 7, Bus = (SimAddress >> 16) & 0xFF;

    if ((SimAddress & SIM_ENABLE) == 0 || Bus != 0 || Device != SIM_DEVICE || Function != 0)
        return -1;
    return (LONG)((SimAddress & 0xFC) + (Port - SIM_DATA_PORT));
}

static VOID SimAccess(USHORT Port, ULONG Width)
{
    LONG Register = SimRegister(Port);

    SimAccesses++;
    if (KeGetCurrentIrql() < SimLowestIrql)
        SimLowestIrql = KeGetCurrentIrql();
    if (((Port - SIM_DATA_PORT) & (Width - 1)) != 0 || Port - SIM_DATA_PORT + Width > 4)
        SimBadAccesses++;
    for (ULONG i = 0; Register >= 0 && i < Width; i++)
        SimTouched[Register + i] = TRUE;
}

static ULONG SimRead(USHORT Port, ULONG Width)
{
    LONG Register = SimRegister(Port);
    ULONG Value = 0;

    SimAccess(Port, Width);
    for (ULONG i = 0; i < Width; i++)
        Value |= (ULONG)(Register >= 0 ? SimConfig[Register + i] : 0xFF) << (8 * i);
    return Value;
}

static VOID SimWrite(USHORT Port, ULONG Width, ULONG Value)
{
    LONG Register = SimRegister(Port);

    SimAccess(Port, Width);
    for (ULONG i = 0; Register >= 0 && i < Width; i++) {
        ULONG Byte = (ULONG)Register + i;
        UCHAR New = (UCHAR)(Value >> (8 * i));

        if (Byte < 4)
            continue;                      /* vendor and device IDs are read-only */
        if (Byte == SIM_STATUS || Byte == SIM_STATUS + 1) {
            UCHAR Clear = New & (UCHAR)(SIM_STATUS_W1C >> (8 * (Byte - SIM_STATUS)));

            SimConfig[Byte] &= (UCHAR)~Clear;
            continue;
        }
        SimConfig[Byte] = New;
    }
}

UCHAR __inbyte(USHORT Port) { return (UCHAR)SimRead(Port, 1); }
USHORT __inword(USHORT Port) { return (USHORT)SimRead(Port, 2); }
VOID __outbyte(USHORT Port, UCHAR Value) { SimWrite(Port, 1, Value); }
VOID __outword(USHORT Port, USHORT Value) { SimWrite(Port, 2, Value); }

ULONG __indword(USHORT Port)
{
    return SimRead(Port, 4);
}

VOID __outdword(USHORT Port, ULONG Value)
{
    if (Port == SIM_ADDRESS_PORT)
        SimAddress = Value;
    else
        SimWrite(Port, 4, Value);
}

static USHORT SimStatus(VOID)
{
    return (USHORT)(SimConfig[SIM_STATUS] | (SimConfig[SIM_STATUS + 1] << 8));
}

static ULONG SimSlot(ULONG Device)
{
    PCI_SLOT_NUMBER Slot;

    Slot.u.AsULONG = 0;
    Slot.u.bits.DeviceNumber = Device;
    return Slot.u.AsULONG;
}

KTEST(pci_host, writing_the_command_byte_leaves_pending_status_errors)
{
    UCHAR Command = 0x07;

    SimReset();
    KT_EXPECT_EQ(HalSetBusDataByOffset(PCIConfiguration, 0, SimSlot(SIM_DEVICE), &Command, 4, 1), 1);
    KT_EXPECT_EQ(SimConfig[4], 0x07);
    KT_EXPECT_EQ(SimStatus() & SIM_STATUS_ERROR, SIM_STATUS_ERROR);
    KT_EXPECT(!SimTouched[SIM_STATUS] && !SimTouched[SIM_STATUS + 1]);
}

KTEST(pci_host, writing_status_with_one_clears_that_error)
{
    USHORT Status = SIM_STATUS_ERROR;

    SimReset();
    KT_EXPECT_EQ(HalSetBusDataByOffset(PCIConfiguration, 0, SimSlot(SIM_DEVICE), &Status, SIM_STATUS, 2), 2);
    KT_EXPECT_EQ(SimStatus() & SIM_STATUS_ERROR, 0);
    KT_EXPECT_EQ(SimConfig[4], 0x03);
}

/*
 * Every offset and length: exactly the bytes asked for (and the vendor ID,
 * read first to tell an empty slot), in aligned accesses, at HIGH_LEVEL,
 * IRQL restored.
 */
KTEST(pci_host, every_access_touches_exactly_the_requested_bytes)
{
    UCHAR Expected[256], Buffer[16];

    for (ULONG Offset = 0x40; Offset < 0x60; Offset++) {
        for (ULONG Length = 1; Length <= sizeof(Buffer); Length++) {
            SimReset();
            memcpy(Expected, SimConfig, sizeof(Expected));
            KT_ASSERT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, SimSlot(SIM_DEVICE), Buffer, Offset, Length),
                         Length);
            KT_EXPECT(memcmp(Buffer, SimConfig + Offset, Length) == 0);
            for (ULONG i = 0; i < Length; i++)
                Buffer[i] = (UCHAR)~Buffer[i];
            memset(SimTouched, 0, sizeof(SimTouched));
            KT_ASSERT_EQ(HalSetBusDataByOffset(PCIConfiguration, 0, SimSlot(SIM_DEVICE), Buffer, Offset, Length),
                         Length);
            for (ULONG i = 0; i < sizeof(SimTouched); i++) {
                BOOLEAN Inside = i >= Offset && i < Offset + Length;

                if (i < sizeof(USHORT)) {
                    KT_ASSERT_EQ(SimConfig[i], Expected[i]);
                    continue;
                }

                KT_ASSERT_EQ(SimTouched[i], Inside);
                KT_ASSERT_EQ(SimConfig[i], Inside ? (UCHAR)~Expected[i] : Expected[i]);
            }
            KT_ASSERT_EQ(SimBadAccesses, 0);
            KT_ASSERT_EQ(SimLowestIrql, HIGH_LEVEL);
            KT_ASSERT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
        }
    }
}

KTEST(pci_host, an_empty_slot_reads_as_its_vendor_id_and_takes_no_write)
{
    USHORT Vendor = 0;
    ULONG Value = 0x12345678;

    SimReset();
    KT_EXPECT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, SimSlot(2), &Vendor, 0, 4), 2);
    KT_EXPECT_EQ(Vendor, PCI_INVALID_VENDORID);
    KT_EXPECT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, SimSlot(2), &Value, 4, 4), 0);
    KT_EXPECT_EQ(Value, 0x12345678);
    SimAccesses = 0;
    KT_EXPECT_EQ(HalSetBusDataByOffset(PCIConfiguration, 0, SimSlot(2), &Value, 4, 4), 0);
    KT_EXPECT_EQ(SimAccesses, 1);          /* the vendor ID read, no write */
}

KTEST(pci_host, requests_outside_configuration_space_do_nothing)
{
    UCHAR Buffer[8] = { 0 };

    SimReset();
    KT_EXPECT_EQ(HalGetBusDataByOffset(Cmos, 0, SimSlot(SIM_DEVICE), Buffer, 0, 2), 0);
    KT_EXPECT_EQ(HalGetBusDataByOffset(PCIConfiguration, 256, SimSlot(SIM_DEVICE), Buffer, 0, 2), 0);
    KT_EXPECT_EQ(HalSetBusDataByOffset(PCIConfiguration, 0, SimSlot(SIM_DEVICE), Buffer, 256, 1), 0);
    KT_EXPECT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, SimSlot(SIM_DEVICE), Buffer, 0, 0), 0);
    KT_EXPECT_EQ(SimAccesses, 0);
    /* A request running past the end is cut there. */
    KT_EXPECT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, SimSlot(SIM_DEVICE), Buffer, 252, 8), 4);
    KT_EXPECT(memcmp(Buffer, SimConfig + 252, 4) == 0);
}
