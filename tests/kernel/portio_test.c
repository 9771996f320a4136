/*
 * portio_test.c: READ_/WRITE_PORT_* and READ_/WRITE_REGISTER_* with their
 * buffer forms, against devices every PC has: the 16550's scratch register,
 * the PCI configuration ports, and VGA text memory as registers.
 */
#include "ktest.h"
#include <hal.h>
#include "mmtest.h"

#define COM1_SCRATCH ((PUCHAR)(ULONG_PTR)(COM1_PORT + 7))   /* a byte the 16550 just keeps */
#define PCI_ADDRESS_PORT ((PULONG)(ULONG_PTR)0xCF8)
#define PCI_DATA_PORT ((PUSHORT)(ULONG_PTR)0xCFC)
#define PCI_ENABLE 0x80000000u                              /* bus 0, device 0, register 0 */
#define VGA_TEXT_PHYSICAL 0xB8000ULL

KTEST(port_io, byte_ports_and_their_buffer_forms)
{
    UCHAR Saved = READ_PORT_UCHAR(COM1_SCRATCH);
    UCHAR Out[3] = { 0x11, 0x22, 0x33 }, In[4] = { 0 };

    WRITE_PORT_UCHAR(COM1_SCRATCH, 0xA5);
    KT_EXPECT_EQ(READ_PORT_UCHAR(COM1_SCRATCH), 0xA5);
    /* Every value goes through the one port: the last one stays. */
    WRITE_PORT_BUFFER_UCHAR(COM1_SCRATCH, Out, 3);
    KT_EXPECT_EQ(READ_PORT_UCHAR(COM1_SCRATCH), 0x33);
    READ_PORT_BUFFER_UCHAR(COM1_SCRATCH, In, 3);
    KT_EXPECT_EQ(In[0], 0x33);
    KT_EXPECT_EQ(In[2], 0x33);
    KT_EXPECT_EQ(In[3], 0);                                  /* Count is exact */
    READ_PORT_BUFFER_UCHAR(COM1_SCRATCH, In + 3, 0);
    KT_EXPECT_EQ(In[3], 0);
    WRITE_PORT_BUFFER_UCHAR(COM1_SCRATCH, Out, 0);          /* nothing written: the port keeps 0x33 */
    KT_EXPECT_EQ(READ_PORT_UCHAR(COM1_SCRATCH), 0x33);
    WRITE_PORT_UCHAR(COM1_SCRATCH, Saved);
}

KTEST(port_io, word_and_dword_ports_reach_pci_configuration_space)
{
    ULONG Addresses[2] = { PCI_ENABLE | 0x40, PCI_ENABLE };
    USHORT Ids[2] = { 0, 0 }, VendorId = PCI_INVALID_VENDORID;

    HalGetBusDataByOffset(PCIConfiguration, 0, 0, &VendorId, 0, sizeof(VendorId));
    if (VendorId == PCI_INVALID_VENDORID)
        KT_SKIP("no PCI host bridge (-machine isapc has no PCI)");
    WRITE_PORT_ULONG(PCI_ADDRESS_PORT, PCI_ENABLE);
    KT_EXPECT_EQ(READ_PORT_ULONG(PCI_ADDRESS_PORT), PCI_ENABLE);
    KT_EXPECT_EQ(READ_PORT_USHORT(PCI_DATA_PORT), VendorId);
    WRITE_PORT_BUFFER_ULONG(PCI_ADDRESS_PORT, Addresses, 2);
    KT_EXPECT_EQ(READ_PORT_ULONG(PCI_ADDRESS_PORT), PCI_ENABLE);
    READ_PORT_BUFFER_USHORT(PCI_DATA_PORT, Ids, 2);
    KT_EXPECT_EQ(Ids[0], VendorId);
    KT_EXPECT_EQ(Ids[1], VendorId);
    /* The vendor ID is read-only: writing it back through the data port changes nothing. */
    WRITE_PORT_ULONG(PCI_ADDRESS_PORT, PCI_ENABLE);
    WRITE_PORT_USHORT(PCI_DATA_PORT, VendorId);
    KT_EXPECT_EQ(READ_PORT_USHORT(PCI_DATA_PORT), VendorId);
}

KTEST(port_io, registers_of_every_width_and_their_buffer_forms)
{
    PUCHAR Vga = MmMapIoSpace(KtPhysical(VGA_TEXT_PHYSICAL), PAGE_SIZE, MmNonCached);
    UCHAR Saved[16], Bytes[4] = { 1, 2, 3, 4 }, BytesIn[4];
    USHORT Words[2] = { 0x0741, 0x0742 }, WordsIn[2];
    ULONG Longs[2] = { 0x07430744, 0x07450746 }, LongsIn[2];

    KT_ASSERT(Vga != NULL);
    READ_REGISTER_BUFFER_UCHAR(Vga, Saved, sizeof(Saved));
    WRITE_REGISTER_UCHAR(Vga, 0x58);
    KT_EXPECT_EQ(READ_REGISTER_UCHAR(Vga), 0x58);
    WRITE_REGISTER_USHORT((PUSHORT)Vga, 0x1F59);
    KT_EXPECT_EQ(READ_REGISTER_USHORT((PUSHORT)Vga), 0x1F59);
    KT_EXPECT_EQ(READ_REGISTER_UCHAR(Vga + 1), 0x1F);
    WRITE_REGISTER_ULONG((PULONG)Vga, 0x075A075B);
    KT_EXPECT_EQ(READ_REGISTER_ULONG((PULONG)Vga), 0x075A075B);

    /* The buffer forms move between Buffer and consecutive registers. */
    WRITE_REGISTER_BUFFER_UCHAR(Vga, Bytes, 4);
    READ_REGISTER_BUFFER_UCHAR(Vga, BytesIn, 4);
    KT_EXPECT_EQ(RtlCompareMemory(Bytes, BytesIn, 4), 4);
    WRITE_REGISTER_BUFFER_USHORT((PUSHORT)Vga + 4, Words, 2);
    READ_REGISTER_BUFFER_USHORT((PUSHORT)Vga + 4, WordsIn, 2);
    KT_EXPECT_EQ(WordsIn[1], 0x0742);
    WRITE_REGISTER_BUFFER_ULONG((PULONG)Vga + 2, Longs, 2);
    READ_REGISTER_BUFFER_ULONG((PULONG)Vga + 2, LongsIn, 2);
    KT_EXPECT_EQ(LongsIn[0], 0x07430744);
    KT_EXPECT_EQ(LongsIn[1], 0x07450746);
    KT_EXPECT_EQ(READ_REGISTER_USHORT((PUSHORT)Vga + 4), 0x0744);   /* the dwords overlaid the words */

    WRITE_REGISTER_BUFFER_UCHAR(Vga, Saved, sizeof(Saved));
    MmUnmapIoSpace(Vga, PAGE_SIZE);
}
