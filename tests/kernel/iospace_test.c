/*
 * iospace_test.c: MmMapIoSpace on the devices QEMU really has (VGA text
 * memory, the local APIC, the ACPI tables, the display adapter's PCI
 * framebuffer) and on RAM; contiguous and noncached memory.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"
#include <string.h>

KTEST(iospace, unaligned_ranges_keep_their_offset_and_span_pages)
{
    ULONG Free = MmTotalFreeSystemPtes;
    PUCHAR Va = MmMapIoSpace(KtPhysical(0xB8FF0), 0x20, MmNonCached);

    KT_ASSERT(Va != NULL);
    KT_EXPECT_EQ(BYTE_OFFSET(Va), 0xFF0);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free - 2);   /* 0xB8FF0..0xB900F spans two pages */
    KT_EXPECT_EQ(MmGetPhysicalAddress(Va).QuadPart, 0xB8FF0);
    KT_EXPECT_EQ(MmGetPhysicalAddress(Va + 0x18).QuadPart, 0xB9008);
    KT_EXPECT(MiAddressToPte(Va)->u.Hard.CacheDisable && MiAddressToPte(Va)->u.Hard.WriteThrough);
    MmUnmapIoSpace(Va, 0x20);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    /* Unmapping really removed the translation, TLB included. */
    KT_EXPECT_EQ(KtProbeRead(Va), STATUS_ACCESS_VIOLATION);
    KT_EXPECT(MmMapIoSpace(KtPhysical(0xB8000), 0, MmCached) == NULL);
    KT_EXPECT(MmMapIoSpace(KtPhysical(0x1FFFFF000ULL), 0x1000, MmCached) == NULL);
}

/* The end of the range is checked without wrapping: nothing past 4 GB, nothing that wraps to page 0. */
KTEST(iospace, ranges_reaching_past_4_gb_are_refused)
{
    ULONG Free = MmTotalFreeSystemPtes;
    PUCHAR Top;

    KT_EXPECT(MmMapIoSpace(KtPhysical(0xFFFFFFFFFFFFF000ULL), 0x2000, MmNonCached) == NULL);
    KT_EXPECT(MmMapIoSpace(KtPhysical(0xFFFFF000), 0x2000, MmNonCached) == NULL);
    KT_EXPECT(MmMapIoSpace(KtPhysical(0xFFF), 0xFFFFF002, MmNonCached) == NULL);
    KT_EXPECT(MmMapIoSpace(KtPhysical(0x100000000ULL), PAGE_SIZE, MmNonCached) == NULL);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    /* The last page below 4 GB (the firmware's reset vector) is still reachable. */
    Top = MmMapIoSpace(KtPhysical(0xFFFFF000), PAGE_SIZE, MmNonCached);
    KT_ASSERT(Top != NULL);
    KT_EXPECT_EQ(MmGetPhysicalAddress(Top + 0xFF0).QuadPart, 0xFFFFFFF0);
    MmUnmapIoSpace(Top, PAGE_SIZE);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
}

KTEST(iospace, caching_types_set_the_pte_bits)
{
    PUCHAR Cached = MmMapIoSpace(KtPhysical(0xB8000), PAGE_SIZE, MmCached);
    PUCHAR Uncached = MmMapIoSpace(KtPhysical(0xB8000), PAGE_SIZE, MmNonCached);
    PUCHAR Combined = MmMapIoSpace(KtPhysical(0xB8000), PAGE_SIZE, MmWriteCombined);
    PMMPTE Pte;

    KT_ASSERT(Cached && Uncached && Combined);
    Pte = MiAddressToPte(Cached);
    KT_EXPECT(!Pte->u.Hard.CacheDisable && !Pte->u.Hard.WriteThrough && !Pte->u.Hard.LargePage);
    Pte = MiAddressToPte(Uncached);
    KT_EXPECT(Pte->u.Hard.CacheDisable && Pte->u.Hard.WriteThrough);
    Pte = MiAddressToPte(Combined);
    if (MmWriteCombiningAvailable) {
        /* PAT entry 1, which boot made write combining. */
        KT_EXPECT(!Pte->u.Hard.CacheDisable && Pte->u.Hard.WriteThrough && !Pte->u.Hard.LargePage);
        KT_EXPECT_EQ((__readmsr(MSR_IA32_PAT) >> 8) & 0xFF, 0x01);
    }
    MmUnmapIoSpace(Cached, PAGE_SIZE);
    MmUnmapIoSpace(Uncached, PAGE_SIZE);
    MmUnmapIoSpace(Combined, PAGE_SIZE);
}

KTEST(iospace, vga_text_memory_reads_back_what_was_written)
{
    volatile USHORT *Screen = MmMapIoSpace(KtPhysical(0xB8000), 80 * 25 * 2, MmNonCached);
    static const char Text[] = "ntmm: VGA text memory through MmMapIoSpace";
    USHORT Saved[sizeof(Text)];

    KT_ASSERT(Screen != NULL);
    for (ULONG i = 0; i < sizeof(Text) - 1; i++) {
        Saved[i] = Screen[80 * 24 + i];
        Screen[80 * 24 + i] = 0x1F00 | (UCHAR)Text[i];
    }
    for (ULONG i = 0; i < sizeof(Text) - 1; i++)
        KT_EXPECT_EQ(Screen[80 * 24 + i], 0x1F00 | (UCHAR)Text[i]);
    for (ULONG i = 0; i < sizeof(Text) - 1; i++)
        Screen[80 * 24 + i] = Saved[i];
    MmUnmapIoSpace((PVOID)Screen, 80 * 25 * 2);
}

#define LAPIC_ID      0x20
#define LAPIC_VERSION 0x30

KTEST(iospace, local_apic_version_and_id_are_plausible)
{
    ULONG Regs[4];
    ULONGLONG ApicBase;
    volatile ULONG *Apic;
    ULONG Version;

    if (!(KeFeatureBits & CPUID_FEATURE_APIC))
        KT_SKIP("this CPU has no local APIC");
    ApicBase = __readmsr(MSR_IA32_APIC_BASE) & 0xFFFFF000;
    KT_EXPECT_EQ(ApicBase, 0xFEE00000);
    Apic = MmMapIoSpace(KtPhysical(ApicBase), PAGE_SIZE, MmNonCached);
    KT_ASSERT(Apic != NULL);
    Version = Apic[LAPIC_VERSION / 4];
    /* An integrated APIC reports 0x10-0x15, and at least the 4 LVT entries of the oldest. */
    KT_EXPECT((Version & 0xFF) >= 0x10 && (Version & 0xFF) <= 0x15);
    KT_EXPECT(((Version >> 16) & 0xFF) >= 3);
    __cpuid(Regs, 1);
    KT_EXPECT_EQ(Apic[LAPIC_ID / 4] >> 24, Regs[1] >> 24);
    KtLog("local APIC version %08X, ID %u", Version, Apic[LAPIC_ID / 4] >> 24);
    MmUnmapIoSpace((PVOID)Apic, PAGE_SIZE);
}

static UCHAR Checksum(const UCHAR *Bytes, ULONG Length)
{
    UCHAR Sum = 0;

    for (ULONG i = 0; i < Length; i++)
        Sum += Bytes[i];
    return Sum;
}

/*
 * The RSDP: in the first KB of the EBDA, or on a 16-byte boundary in the BIOS
 * area. Found by its signature alone, so a damaged one is a failure to report
 * rather than a machine without ACPI.
 */
static ULONG FindRsdp(VOID)
{
    PUCHAR Low = MmMapIoSpace(KtPhysical(0), PAGE_SIZE, MmCached);
    ULONG Ebda = (ULONG)(*(PUSHORT)(Low + 0x40E)) << 4, Found = 0;
    ULONG Ranges[2][2] = { { Ebda, 1024 }, { 0xE0000, 0x20000 } };

    MmUnmapIoSpace(Low, PAGE_SIZE);
    for (ULONG r = 0; r < 2 && Found == 0; r++) {
        PUCHAR Area;

        if (Ranges[r][0] == 0)
            continue;
        Area = MmMapIoSpace(KtPhysical(Ranges[r][0]), Ranges[r][1], MmCached);
        for (ULONG Offset = 0; Area != NULL && Offset + 20 <= Ranges[r][1]; Offset += 16) {
            if (memcmp(Area + Offset, "RSD PTR ", 8) == 0) {
                Found = Ranges[r][0] + Offset;
                break;
            }
        }
        if (Area != NULL)
            MmUnmapIoSpace(Area, Ranges[r][1]);
    }
    return Found;
}

/* Maps a table's header to learn its length, then the whole table, and checks its checksum. */
static BOOLEAN CheckTable(ULONG Address, PCHAR Signature, PULONG Length)
{
    PUCHAR Header = MmMapIoSpace(KtPhysical(Address), 36, MmCached), Table;
    BOOLEAN Ok;

    if (Header == NULL)
        return FALSE;
    memcpy(Signature, Header, 4);
    Signature[4] = '\0';
    *Length = *(PULONG)(Header + 4);
    MmUnmapIoSpace(Header, 36);
    if (*Length < 36 || *Length > 0x100000)
        return FALSE;
    Table = MmMapIoSpace(KtPhysical(Address), *Length, MmCached);
    if (Table == NULL)
        return FALSE;
    Ok = Checksum(Table, *Length) == 0;
    MmUnmapIoSpace(Table, *Length);
    return Ok;
}

KTEST(iospace, acpi_tables_are_found_and_their_checksums_hold)
{
    ULONG Rsdp = FindRsdp(), Rsdt, Length, Entries;
    PUCHAR RsdpBytes;
    PULONG Table;
    CHAR Signature[5];

    if (Rsdp == 0)
        KT_SKIP("no ACPI: no RSDP in the EBDA or the BIOS area (-machine isapc)");
    RsdpBytes = MmMapIoSpace(KtPhysical(Rsdp), 36, MmCached);
    KT_ASSERT(RsdpBytes != NULL);
    KT_EXPECT_EQ(Checksum(RsdpBytes, 20), 0);
    Rsdt = *(PULONG)(RsdpBytes + 16);
    KtLog("RSDP at %05X, revision %u, RSDT at %08X", Rsdp, RsdpBytes[15], Rsdt);
    MmUnmapIoSpace(RsdpBytes, 36);

    KT_ASSERT(CheckTable(Rsdt, Signature, &Length));
    KT_EXPECT(memcmp(Signature, "RSDT", 4) == 0);
    Entries = (Length - 36) / 4;
    KT_EXPECT(Entries > 0);
    Table = MmMapIoSpace(KtPhysical(Rsdt), Length, MmCached);
    KT_ASSERT(Table != NULL);
    for (ULONG i = 0; i < Entries; i++) {
        ULONG EntryLength;
        BOOLEAN Ok = CheckTable(Table[9 + i], Signature, &EntryLength);

        KT_EXPECT(Ok);
        KtLog("ACPI table %s at %08X, %u bytes, checksum %s", Signature, Table[9 + i], EntryLength,
              Ok ? "ok" : "BAD");
    }
    MmUnmapIoSpace(Table, Length);
}

/* Sizes a memory BAR the standard way: all ones written, the mask read back, the value restored. */
static ULONG BarSize(ULONG Bus, ULONG Slot, ULONG Offset)
{
    ULONG Saved, Ones = 0xFFFFFFFF, Mask;

    HalGetBusDataByOffset(PCIConfiguration, Bus, Slot, &Saved, Offset, 4);
    HalSetBusDataByOffset(PCIConfiguration, Bus, Slot, &Ones, Offset, 4);
    HalGetBusDataByOffset(PCIConfiguration, Bus, Slot, &Mask, Offset, 4);
    HalSetBusDataByOffset(PCIConfiguration, Bus, Slot, &Saved, Offset, 4);
    return ~(Mask & PCI_ADDRESS_MEMORY_ADDRESS_MASK) + 1;
}

KTEST(iospace, pci_display_framebuffer_maps_write_combined)
{
    PCI_COMMON_CONFIG Config;
    PCI_SLOT_NUMBER Slot;
    ULONG Devices = 0, Display = 0xFFFFFFFF, Bar, Size;
    PHYSICAL_ADDRESS Translated;
    ULONG AddressSpace = 0;
    volatile ULONG *Frame;

    for (ULONG Device = 0; Device < 32; Device++) {
        Slot.u.AsULONG = 0;
        Slot.u.bits.DeviceNumber = Device;
        if (HalGetBusDataByOffset(PCIConfiguration, 0, Slot.u.AsULONG, &Config, 0, sizeof(Config)) != sizeof(Config))
            continue;
        Devices++;
        KtLog("PCI 00:%02X.0 %04X:%04X class %02X%02X", Device, Config.VendorID, Config.DeviceID,
              Config.BaseClass, Config.SubClass);
        if (Config.BaseClass == PCI_DISPLAY_CONTROLLER && Display == 0xFFFFFFFF)
            Display = Slot.u.AsULONG;
    }
    if (Devices == 0)
        KT_SKIP("no PCI: no device answers on bus 0 (-machine isapc)");
    KT_EXPECT(Devices >= 2);                        /* at least the host bridge and the ISA bridge */
    if (Display == 0xFFFFFFFF)
        KT_SKIP("no display adapter on PCI bus 0");
    HalGetBusDataByOffset(PCIConfiguration, 0, Display, &Config, 0, sizeof(Config));
    Bar = Config.type0.BaseAddresses[0];
    KT_ASSERT((Bar & PCI_ADDRESS_IO_SPACE) == 0);
    Size = BarSize(0, Display, FIELD_OFFSET(PCI_COMMON_CONFIG, type0.BaseAddresses));
    KtLog("display framebuffer BAR0 at %08X, %u KB%s", Bar & PCI_ADDRESS_MEMORY_ADDRESS_MASK, Size / 1024,
          Bar & PCI_ADDRESS_MEMORY_PREFETCHABLE ? ", prefetchable" : "");
    KT_EXPECT(Size >= 64 * 1024);
    Translated.QuadPart = 0;
    KT_ASSERT(HalTranslateBusAddress(PCIBus, 0, KtPhysical(Bar & PCI_ADDRESS_MEMORY_ADDRESS_MASK), &AddressSpace,
                                     &Translated));
    KT_EXPECT_EQ(Translated.QuadPart, Bar & PCI_ADDRESS_MEMORY_ADDRESS_MASK);
    KT_EXPECT_EQ(AddressSpace, 0);

    Frame = MmMapIoSpace(Translated, 64 * 1024, MmWriteCombined);
    KT_ASSERT(Frame != NULL);
    for (ULONG i = 0; i < 64 * 1024 / 4; i++)
        Frame[i] = 0x00A5A500 ^ (i * 2654435761u);
    __asm__ volatile("lock orl $0, (%%esp)" ::: "memory");   /* drain the write-combining buffers */
    for (ULONG i = 0; i < 64 * 1024 / 4; i++) {
        if (Frame[i] != (0x00A5A500 ^ (i * 2654435761u))) {
            KT_EXPECT_EQ(Frame[i], 0x00A5A500 ^ (i * 2654435761u));
            break;
        }
    }
    MmUnmapIoSpace((PVOID)Frame, 64 * 1024);
}

KTEST(iospace, empty_pci_slots_read_as_no_device)
{
    USHORT Vendor = 0;
    PCI_SLOT_NUMBER Slot;

    Slot.u.AsULONG = 0;
    Slot.u.bits.DeviceNumber = 31;
    Slot.u.bits.FunctionNumber = 7;
    KT_EXPECT_EQ(HalGetBusDataByOffset(PCIConfiguration, 0, Slot.u.AsULONG, &Vendor, 0, 2), 2);
    KT_EXPECT_EQ(Vendor, PCI_INVALID_VENDORID);
    KT_EXPECT_EQ(HalGetBusDataByOffset(Cmos, 0, 0, &Vendor, 0, 2), 0);
}

KTEST(iospace, translate_bus_address_is_the_identity_on_a_pc)
{
    PHYSICAL_ADDRESS Out;
    ULONG Space = 1;

    KT_EXPECT(HalTranslateBusAddress(Isa, 0, KtPhysical(0x3F8), &Space, &Out));
    KT_EXPECT_EQ(Out.QuadPart, 0x3F8);
    KT_EXPECT_EQ(Space, 1);
    Space = 7;
    KT_EXPECT(!HalTranslateBusAddress(Isa, 0, KtPhysical(0x3F8), &Space, &Out));
}

/* The seed's scenario: a pool buffer's physical address mapped a second time. */
KTEST(iospace, an_alias_of_a_pool_buffer_sees_the_same_bytes)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 256, 'sail');
    PUCHAR Alias;

    KT_ASSERT(Buffer != NULL);
    memset(Buffer, 0x11, 256);
    Alias = MmMapIoSpace(MmGetPhysicalAddress(Buffer), 256, MmCached);
    KT_ASSERT(Alias != NULL);
    KT_EXPECT(Alias != Buffer);
    KT_EXPECT_EQ(BYTE_OFFSET(Alias), BYTE_OFFSET(Buffer));
    Alias[7] = 0x77;
    KT_EXPECT_EQ(Buffer[7], 0x77);
    Buffer[200] = 0x22;
    KT_EXPECT_EQ(Alias[200], 0x22);
    MmUnmapIoSpace(Alias, 256);
    KT_EXPECT_EQ(Buffer[7], 0x77);
    KT_EXPECT_EQ(Buffer[0], 0x11);
    KT_EXPECT(MmIsAddressValid(Buffer));
    ExFreePoolWithTag(Buffer, 'sail');
}

/* RAM keeps one memory type (SDM 11.12.4): no uncached alias of cached pages, the running directory included. */
KTEST(iospace, io_space_views_of_ram_keep_its_memory_type)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 64, 'sail');
    PUCHAR NonCached = MmAllocateNonCachedMemory(PAGE_SIZE);
    PHYSICAL_ADDRESS Directory = KtPhysical(KiReadCr3() & ~(PAGE_SIZE - 1));
    ULONG Free = MmTotalFreeSystemPtes;
    PULONG View;

    KT_ASSERT(Buffer != NULL && NonCached != NULL);
    KT_EXPECT(MmMapIoSpace(MmGetPhysicalAddress(Buffer), 64, MmNonCached) == NULL);
    KT_EXPECT(MmMapIoSpace(MmGetPhysicalAddress(Buffer), 64, MmWriteCombined) == NULL);
    KT_EXPECT(MmMapIoSpace(Directory, PAGE_SIZE, MmNonCached) == NULL);
    KT_EXPECT(MmMapIoSpace(MmGetPhysicalAddress(NonCached), PAGE_SIZE, MmCached) == NULL);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    /* The same type is fine: the directory maps itself at PDE 0x300. */
    View = MmMapIoSpace(Directory, PAGE_SIZE, MmCached);
    KT_ASSERT(View != NULL);
    KT_EXPECT_EQ(View[PDE_SELFMAP_INDEX] >> PAGE_SHIFT, KiReadCr3() >> PAGE_SHIFT);
    MmUnmapIoSpace(View, PAGE_SIZE);
    View = MmMapIoSpace(MmGetPhysicalAddress(NonCached), PAGE_SIZE, MmNonCachedUnordered);
    KT_ASSERT(View != NULL);
    KT_EXPECT(MiAddressToPte(View)->u.Hard.CacheDisable);
    MmUnmapIoSpace(View, PAGE_SIZE);
    MmFreeNonCachedMemory(NonCached, PAGE_SIZE);
    ExFreePoolWithTag(Buffer, 'sail');
}

static BOOLEAN IsContiguous(PUCHAR Va, ULONG Pages, PULONGLONG First)
{
    *First = MmGetPhysicalAddress(Va).QuadPart;
    for (ULONG i = 1; i < Pages; i++) {
        if ((ULONGLONG)MmGetPhysicalAddress(Va + i * PAGE_SIZE).QuadPart != *First + i * PAGE_SIZE)
            return FALSE;
    }
    return TRUE;
}

KTEST(iospace, contiguous_memory_meets_its_constraints)
{
    PFN_NUMBER Available = MmAvailablePages;
    ULONGLONG First;
    PUCHAR Va;

    Va = MmAllocateContiguousMemory(5 * PAGE_SIZE, KtPhysical(0xFFFFFFFF));
    KT_ASSERT(Va != NULL);
    KT_EXPECT(IsContiguous(Va, 5, &First));
    memset(Va, 0x3C, 5 * PAGE_SIZE);
    MmFreeContiguousMemory(Va);

    /* Below 16 MB (ISA DMA), not crossing a 64 KB boundary. */
    Va = MmAllocateContiguousMemorySpecifyCache(8 * PAGE_SIZE, KtPhysical(0x100000), KtPhysical(0xFFFFFF),
                                                KtPhysical(0x10000), MmNonCached);
    KT_ASSERT(Va != NULL);
    KT_EXPECT(IsContiguous(Va, 8, &First));
    KT_EXPECT(First >= 0x100000 && First + 8 * PAGE_SIZE - 1 <= 0xFFFFFF);
    KT_EXPECT_EQ(First >> 16, (First + 8 * PAGE_SIZE - 1) >> 16);
    KT_EXPECT(MiAddressToPte(Va)->u.Hard.CacheDisable);
    MmFreeContiguousMemory(Va);
    KT_EXPECT_EQ(MmAvailablePages, Available);

    /* Impossible constraints. */
    KT_EXPECT(MmAllocateContiguousMemorySpecifyCache(PAGE_SIZE, KtPhysical(0x200000), KtPhysical(0x100000),
                                                     KtPhysical(0), MmCached) == NULL);
    KT_EXPECT(MmAllocateContiguousMemorySpecifyCache(4 * PAGE_SIZE, KtPhysical(0), KtPhysical(0x2FFF),
                                                     KtPhysical(0), MmCached) == NULL);
    KT_EXPECT(MmAllocateContiguousMemorySpecifyCache(3 * PAGE_SIZE, KtPhysical(0), KtPhysical(0xFFFFFF),
                                                     KtPhysical(0x2000), MmCached) == NULL);
    KT_EXPECT(MmAllocateContiguousMemory(0x7FFF0000, KtPhysical(0xFFFFFFFF)) == NULL);
    KT_EXPECT(MmAllocateContiguousMemory(0, KtPhysical(0xFFFFFFFF)) == NULL);
    KT_EXPECT_EQ(MmAvailablePages, Available);
}

/*
 * The acceptable range is 64-bit: MAXULONG64, the usual "anywhere", is
 * clipped to the RAM there is, and a range wholly above 4 GB, which a
 * non-PAE kernel cannot reach, gives nothing rather than memory below it.
 */
KTEST(iospace, contiguous_memory_takes_64_bit_acceptable_addresses)
{
    PFN_NUMBER Available = MmAvailablePages;
    ULONGLONG First;
    PUCHAR Va;

    Va = MmAllocateContiguousMemory(2 * PAGE_SIZE, KtPhysical(~0ULL));
    KT_ASSERT(Va != NULL);
    KT_EXPECT(IsContiguous(Va, 2, &First));
    MmFreeContiguousMemory(Va);
    Va = MmAllocateContiguousMemorySpecifyCache(PAGE_SIZE, KtPhysical(0x100000), KtPhysical(~0ULL), KtPhysical(0),
                                                MmCached);
    KT_ASSERT(Va != NULL);
    KT_EXPECT(IsContiguous(Va, 1, &First));
    KT_EXPECT(First >= 0x100000);
    MmFreeContiguousMemory(Va);

    KT_EXPECT(MmAllocateContiguousMemorySpecifyCache(PAGE_SIZE, KtPhysical(0x100000000ULL), KtPhysical(0x1FFFFFFFFULL),
                                                     KtPhysical(0), MmCached) == NULL);
    KT_EXPECT(MmAllocateContiguousMemorySpecifyCache(PAGE_SIZE, KtPhysical(0x100000000ULL), KtPhysical(~0ULL),
                                                     KtPhysical(0), MmCached) == NULL);
    KT_EXPECT_EQ(MmAvailablePages, Available);
}

KTEST(iospace, noncached_memory_is_zeroed_and_uncached)
{
    PFN_NUMBER Available = MmAvailablePages;
    PUCHAR Va = MmAllocateNonCachedMemory(3 * PAGE_SIZE);
    ULONG NonZero = 0;

    KT_ASSERT(Va != NULL);
    for (ULONG i = 0; i < 3 * PAGE_SIZE; i++)
        NonZero += Va[i] != 0;
    KT_EXPECT_EQ(NonZero, 0);
    KT_EXPECT(MiAddressToPte(Va + 2 * PAGE_SIZE)->u.Hard.CacheDisable);
    KT_EXPECT_EQ(MmAvailablePages, Available - 3);
    MmFreeNonCachedMemory(Va, 3 * PAGE_SIZE);
    KT_EXPECT_EQ(MmAvailablePages, Available);
}

KTEST_BUGCHECK(iospace, freeing_what_is_not_contiguous_memory_stops_with_0xc2_60, BAD_POOL_CALLER)
{
    PVOID Va = MmAllocateNonCachedMemory(PAGE_SIZE);

    KT_BUGCHECK_PARAMETER(1, 0x60);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Va);
    MmFreeContiguousMemory(Va);
}

KTEST_BUGCHECK(iospace, unmapping_io_space_never_mapped_stops_with_0xda, SYSTEM_PTE_MISUSE)
{
    PVOID Va = (PVOID)(MM_SYSTEM_PTE_END + 1 - 5 * PDE_MAPPED_SIZE);

    KT_BUGCHECK_PARAMETER(1, 0x302);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Va);
    MmUnmapIoSpace(Va, PAGE_SIZE);
}
