/*
 * memcmd.c: the kd commands about memory itself: db/dd/dq, !pte, !pfn and
 * !sysptes, and the one way the shell reads memory.
 *
 * Reading never faults and never changes what it reads: an address is read
 * only when its PDE and PTE say the page is there (MmIsAddressValid, which
 * at most copies a system PDE the current directory lacks, as the fault
 * handler would), so a demand-zero page is reported, not materialised; the
 * bytes are then read with the kernel's probe instruction inside a try
 * block, which turns a PTE changed under the reader into a refusal too.
 */
#include "kdp.h"
#include <kprintf.h>
#include <string.h>

#define KD_DUMP_DEFAULT_BYTES 0x80
#define KD_DUMP_MAXIMUM_BYTES 0x1000
#define KD_DUMP_LINE_BYTES 16
#define KD_PTE_RANGE_MAXIMUM 0x400     /* pages one !pte range shows */
#define KD_COLUMN_WIDTH 27             /* !pte's PDE column, as WinDbg lays it out */

BOOLEAN KdpIsAddressReadable(ULONG_PTR Address)
{
    return MmIsAddressValid((PVOID)Address);
}

BOOLEAN KdpReadMemory(ULONG_PTR Address, PVOID Buffer, ULONG Length)
{
    volatile BOOLEAN Read = TRUE;
    PUCHAR Bytes = Buffer;

    ULONG_PTR Last = Address + Length - 1;

    if (Length == 0 || Last < Address)
        return FALSE;
    for (ULONG_PTR Page = ALIGN_DOWN_BY(Address, PAGE_SIZE);; Page += PAGE_SIZE) {
        if (!KdpIsAddressReadable(Page))
            return FALSE;
        if (Page == ALIGN_DOWN_BY(Last, PAGE_SIZE))
            break;
    }
    _SEH2_TRY {
        for (ULONG i = 0; i < Length; i++)
            Bytes[i] = KiProbeRead((PVOID)(Address + i));
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Read = FALSE;
    } _SEH2_END;
    return Read;
}

/* --- db, dd, dq ------------------------------------------------------------------------- */

/* "db VA [L]count": count in units of the command (bytes, dwords, qwords), WinDbg's L optional. */
static BOOLEAN KdpParseDumpArguments(ULONG Argc, PCSTR Argv[], ULONG UnitSize, PULONG Address, PULONG Bytes)
{
    ULONG Count = KD_DUMP_DEFAULT_BYTES / UnitSize;

    if (!KdpParseNumber(Argv[0], Address))
        return FALSE;
    if (Argc > 1) {
        PCSTR Text = Argv[1][0] == 'L' || Argv[1][0] == 'l' ? Argv[1] + 1 : Argv[1];

        if (!KdpParseNumber(Text, &Count))
            return FALSE;
        if (Count == 0 || Count > KD_DUMP_MAXIMUM_BYTES / UnitSize) {
            DbgPrint("Count %x is out of range: 1 to %x\n", Count, KD_DUMP_MAXIMUM_BYTES / UnitSize);
            return FALSE;
        }
    }
    *Bytes = Count * UnitSize;
    if (*Address + *Bytes - 1 < *Address)
        *Bytes = 0 - *Address;          /* stop at the top of the address space */
    return TRUE;
}

static VOID KdpDump(ULONG Argc, PCSTR Argv[], ULONG UnitSize)
{
    ULONG Address, Bytes;

    if (!KdpParseDumpArguments(Argc, Argv, UnitSize, &Address, &Bytes))
        return;
    for (ULONG Offset = 0; Offset < Bytes; Offset += KD_DUMP_LINE_BYTES) {
        ULONG Line = Address + Offset, Length = Bytes - Offset < KD_DUMP_LINE_BYTES ? Bytes - Offset : KD_DUMP_LINE_BYTES;
        UCHAR Data[KD_DUMP_LINE_BYTES];

        if (!KdpReadMemory(Line, Data, Length)) {
            DbgPrint("%08x  ?? memory at %08x is not valid: no PTE maps a page there\n", Line,
                     KdpIsAddressReadable(Line) ? ALIGN_UP_BY(Line + 1, PAGE_SIZE) : Line);
            return;
        }
        DbgPrint("%08x ", Line);
        for (ULONG i = 0; i < Length; i += UnitSize) {
            if (UnitSize == 1)
                DbgPrint("%c%02x", i == 8 ? '-' : ' ', Data[i]);
            else if (UnitSize == 4)
                DbgPrint(" %08x", *(PULONG)&Data[i]);
            else
                DbgPrint(" %08x`%08x", *(PULONG)&Data[i + 4], *(PULONG)&Data[i]);
        }
        if (UnitSize == 1) {
            DbgPrint("%*s  ", (int)(KD_DUMP_LINE_BYTES - Length) * 3, "");
            for (ULONG i = 0; i < Length; i++)
                DbgPrint("%c", Data[i] >= ' ' && Data[i] <= '~' ? Data[i] : '.');
        }
        DbgPrint("\n");
    }
}

static VOID KdpCommandDb(ULONG Argc, PCSTR Argv[]) { KdpDump(Argc, Argv, 1); }
static VOID KdpCommandDd(ULONG Argc, PCSTR Argv[]) { KdpDump(Argc, Argv, 4); }
static VOID KdpCommandDq(ULONG Argc, PCSTR Argv[]) { KdpDump(Argc, Argv, 8); }

/* --- !pte ---------------------------------------------------------------------------------- */

PCSTR KdpProtectionName(ULONG Protection)
{
    static const PCSTR Names[8] = { "NO_ACCESS", "READONLY", "EXECUTE", "EXECUTE_READ", "READWRITE",
                                    "WRITECOPY", "EXECUTE_READWRITE", "EXECUTE_WRITECOPY" };
    static CHAR Text[8][40];
    static ULONG Next;
    PCHAR Out = Text[Next++ % RTL_NUMBER_OF(Text)];

    if (Protection == MM_DECOMMIT)
        return "DECOMMITTED";
    if (Protection == MM_NOACCESS)
        return "NO_ACCESS";
    ksnprintf(Out, sizeof(Text[0]), "%s%s", Names[Protection & 7],
              (Protection & MM_WRITECOMBINE) == MM_WRITECOMBINE ? " WRITECOMBINE"
              : (Protection & MM_GUARD_PAGE)                    ? " GUARD"
              : (Protection & MM_NOCACHE)                       ? " NOCACHE"
                                                                : "");
    return Out;
}

/*
 * The flags of a valid PDE or PTE as WinDbg's letters, one position each:
 * C copy-on-write, G global, L large page (P: the PAT bit of a PTE), D
 * dirty, A accessed, N cache disabled, T write-through, U user or K
 * kernel, W writable or R read-only, E executable (x86 without PAE has no
 * NX), V valid.
 */
static VOID KdpFormatFlags(MMPTE Pte, BOOLEAN IsPde, PCHAR Text)
{
    ksnprintf(Text, 12, "%c%c%c%c%c%c%c%c%cEV", Pte.u.Hard.CopyOnWrite ? 'C' : '-', Pte.u.Hard.Global ? 'G' : '-',
              Pte.u.Hard.LargePage ? (IsPde ? 'L' : 'P') : '-', Pte.u.Hard.Dirty ? 'D' : '-',
              Pte.u.Hard.Accessed ? 'A' : '-', Pte.u.Hard.CacheDisable ? 'N' : '-',
              Pte.u.Hard.WriteThrough ? 'T' : '-', Pte.u.Hard.Owner ? 'U' : 'K', Pte.u.Hard.Write ? 'W' : 'R');
}

/* Up to four lines describing one PDE or PTE's contents, as WinDbg words them. */
static ULONG KdpDescribePte(MMPTE Pte, BOOLEAN IsPde, CHAR Lines[4][KD_COLUMN_WIDTH + 1])
{
    ULONG Count = 0;
    CHAR Flags[12];

    ksnprintf(Lines[Count++], KD_COLUMN_WIDTH + 1, "contains %08X", Pte.u.Long);
    if (Pte.u.Hard.Valid) {
        KdpFormatFlags(Pte, IsPde, Flags);
        ksnprintf(Lines[Count++], KD_COLUMN_WIDTH + 1, "pfn %-9x %s", Pte.u.Hard.PageFrameNumber, Flags);
        return Count;
    }
    ksnprintf(Lines[Count++], KD_COLUMN_WIDTH + 1, "not valid");
    if (Pte.u.Long == 0)
        return Count;
    if (Pte.u.Soft.Prototype) {
        ksnprintf(Lines[Count++], KD_COLUMN_WIDTH + 1, " Proto: %08X",
                  (Pte.u.Proto.ProtoAddressHigh << 11) | (Pte.u.Proto.ProtoAddressLow << 2));
        return Count;
    }
    if (Pte.u.Soft.Transition)
        ksnprintf(Lines[Count++], KD_COLUMN_WIDTH + 1, " Transition: %x", Pte.u.Trans.PageFrameNumber);
    else if (Pte.u.Soft.PageFileHigh == 0)
        ksnprintf(Lines[Count++], KD_COLUMN_WIDTH + 1, " DemandZero");
    else
        ksnprintf(Lines[Count++], KD_COLUMN_WIDTH + 1, " PageFile: %2x Offset: %x", Pte.u.Soft.PageFileLow,
                  Pte.u.Soft.PageFileHigh);
    ksnprintf(Lines[Count++], KD_COLUMN_WIDTH + 1, " Protect: %x - %s", Pte.u.Soft.Protection,
              KdpProtectionName(Pte.u.Soft.Protection));
    return Count;
}

/* A PDE or PTE's contents, or FALSE when the page holding it is not there. */
static BOOLEAN KdpReadPte(PMMPTE PointerPte, PMMPTE Pte)
{
    return KdpReadMemory((ULONG_PTR)PointerPte, Pte, sizeof(*Pte));
}

static VOID KdpShowPte(ULONG_PTR Va)
{
    PMMPTE PointerPde = MiAddressToPde(Va), PointerPte = MiAddressToPte(Va);
    CHAR Left[4][KD_COLUMN_WIDTH + 1], Right[4][KD_COLUMN_WIDTH + 1];
    ULONG LeftCount, RightCount = 0;
    MMPTE Pde, Pte;

    MmIsAddressValid((PVOID)Va);        /* a system PDE this directory lacks is copied in, as a fault would */
    KdpReadPte(PointerPde, &Pde);
    DbgPrint("                    VA %08x\n", Va);
    DbgPrint("PDE at %08X            PTE at %08X\n", (ULONG)PointerPde, (ULONG)PointerPte);
    LeftCount = KdpDescribePte(Pde, TRUE, Left);
    if (Pde.u.Hard.Valid && Pde.u.Hard.LargePage) {
        ksnprintf(Right[RightCount++], KD_COLUMN_WIDTH + 1, "contains %08X", 0);
        ksnprintf(Right[RightCount++], KD_COLUMN_WIDTH + 1, "LARGE PAGE pfn %x",
                  Pde.u.Hard.PageFrameNumber + (ULONG)MiAddressToPteOffset(Va));
    } else if (Pde.u.Hard.Valid && KdpReadPte(PointerPte, &Pte)) {
        RightCount = KdpDescribePte(Pte, FALSE, Right);
    }
    for (ULONG i = 0; i < LeftCount || i < RightCount; i++)
        DbgPrint("%-*s%s\n", KD_COLUMN_WIDTH, i < LeftCount ? Left[i] : "", i < RightCount ? Right[i] : "");
}

/* One line a page for a range: the address, its PTE's contents, and the decoded form in brief. */
static VOID KdpShowPteLine(ULONG_PTR Va)
{
    PMMPTE PointerPde = MiAddressToPde(Va);
    CHAR Lines[4][KD_COLUMN_WIDTH + 1];
    MMPTE Pde, Pte;
    ULONG Count;

    MmIsAddressValid((PVOID)Va);
    KdpReadPte(PointerPde, &Pde);
    if (!Pde.u.Hard.Valid) {
        DbgPrint("%08x  PDE %08X not valid\n", Va, Pde.u.Long);
        return;
    }
    if (Pde.u.Hard.LargePage) {
        DbgPrint("%08x  PDE %08X LARGE PAGE pfn %x\n", Va, Pde.u.Long,
                 Pde.u.Hard.PageFrameNumber + (ULONG)MiAddressToPteOffset(Va));
        return;
    }
    KdpReadPte(MiAddressToPte(Va), &Pte);
    Count = KdpDescribePte(Pte, FALSE, Lines);
    DbgPrint("%08x  PTE at %08X %s", Va, (ULONG)MiAddressToPte(Va), Lines[0]);
    for (ULONG i = 1; i < Count; i++)
        DbgPrint(" %s", Lines[i][0] == ' ' ? Lines[i] + 1 : Lines[i]);
    DbgPrint("\n");
}

/* "!pte VA": an address in the page tables is read as a PTE address, as WinDbg does. "!pte VA END": a range. */
static VOID KdpCommandPte(ULONG Argc, PCSTR Argv[])
{
    ULONG Va, End;

    if (!KdpParseNumber(Argv[0], &Va))
        return;
    if (Argc == 1) {
        if (Va >= PTE_BASE && Va <= PTE_TOP)
            Va = (ULONG)MiPteToAddress(Va & ~(sizeof(MMPTE) - 1));
        KdpShowPte(Va);
        return;
    }
    if (!KdpParseNumber(Argv[1], &End))
        return;
    if (End < Va || (End - Va) / PAGE_SIZE >= KD_PTE_RANGE_MAXIMUM) {
        DbgPrint("Range %08x-%08x is out of order or spans more than %x pages\n", Va, End, KD_PTE_RANGE_MAXIMUM);
        return;
    }
    for (ULONG_PTR Page = ALIGN_DOWN_BY(Va, PAGE_SIZE); Page <= End && Page >= ALIGN_DOWN_BY(Va, PAGE_SIZE);
         Page += PAGE_SIZE)
        KdpShowPteLine(Page);
}

/* --- !pfn ----------------------------------------------------------------------------------- */

PCSTR KdpPageLocationName(ULONG Location)
{
    static const PCSTR Names[] = { "Zeroed", "Free", "Standby", "Modified", "ModNoWrt", "Bad", "Active", "Trans" };

    return Location < RTL_NUMBER_OF(Names) ? Names[Location] : "?";
}

static VOID KdpCommandPfn(ULONG Argc, PCSTR Argv[])
{
    static const PCSTR CacheNames[] = { "NonCached", "Cached", "WriteComb", "NotMapped" };
    ULONG PageFrameIndex;
    MMPFN Pfn;

    UNREFERENCED_PARAMETER(Argc);
    if (!KdpParseNumber(Argv[0], &PageFrameIndex))
        return;
    if (PageFrameIndex > MmHighestPhysicalPage || !MiIsPhysicalPage(PageFrameIndex)) {
        DbgPrint("Page %x is not RAM the PFN database describes (pages %x-%x, with holes)\n", PageFrameIndex,
                 MmLowestPhysicalPage, MmHighestPhysicalPage);
        return;
    }
    if (!KdpReadMemory((ULONG_PTR)MI_PFN_ELEMENT(PageFrameIndex), &Pfn, sizeof(Pfn))) {
        DbgPrint("The PFN entry of page %x at %p is not mapped\n", PageFrameIndex, MI_PFN_ELEMENT(PageFrameIndex));
        return;
    }
    DbgPrint("    PFN %08X at address %08X\n", PageFrameIndex, (ULONG)MI_PFN_ELEMENT(PageFrameIndex));
    DbgPrint("    flink       %08X  blink / share count %08X  pteaddress %08X\n", Pfn.u1.Flink, Pfn.u2.Blink,
             (ULONG)Pfn.PteAddress);
    DbgPrint("    reference count %04X    %-9s color %x\n", Pfn.u3.e2.ReferenceCount,
             CacheNames[Pfn.u3.e2.e1.CacheAttribute], Pfn.u3.e2.e1.PageColor);
    DbgPrint("    restore pte %08X  containing page %06X  %s %c%c%c\n", Pfn.OriginalPte.u.Long, Pfn.u4.PteFrame,
             KdpPageLocationName(Pfn.u3.e2.e1.PageLocation), Pfn.u3.e2.e1.Modified ? 'M' : ' ',
             Pfn.u3.e2.e1.ReadInProgress ? 'R' : ' ', Pfn.u3.e2.e1.WriteInProgress ? 'W' : ' ');
    if (Pfn.u3.e2.e1.Modified || Pfn.u3.e2.e1.NonPagedPool || Pfn.u3.e2.e1.PrototypePte || Pfn.u3.e2.e1.ParityError ||
        Pfn.u3.e2.e1.InPageError || ((ULONG_PTR)Pfn.PteAddress & 1) || Pfn.PteAddress == NULL)
        DbgPrint("   %s%s%s%s%s%s%s\n", Pfn.u3.e2.e1.Modified ? " Modified" : "",
                 Pfn.u3.e2.e1.NonPagedPool ? " NonPagedPool" : "", Pfn.u3.e2.e1.PrototypePte ? " PrototypePte" : "",
                 Pfn.u3.e2.e1.ParityError ? " ParityError" : "", Pfn.u3.e2.e1.InPageError ? " InPageError" : "",
                 ((ULONG_PTR)Pfn.PteAddress & 1) ? " Deleted" : "",
                 Pfn.u3.e2.e1.PageLocation == ActiveAndValid && Pfn.PteAddress == NULL ? " Reserved" : "");
}

/* --- !sysptes -------------------------------------------------------------------------------- */

static VOID KdpCommandSysptes(ULONG Argc, PCSTR Argv[])
{
    ULONG FreeRuns = 0, LargestFree = 0, UsedRuns = 0, LargestUsed = 0, Run = 0, Total = MmNumberOfSystemPtes;
    BOOLEAN RunReserved = FALSE;
    PMMPTE FirstPte = MiAddressToPte(MM_SYSTEM_PTE_START);

    UNREFERENCED_PARAMETER(Argc);
    UNREFERENCED_PARAMETER(Argv);
    DbgPrint("System PTE Information\n");
    DbgPrint("  Total System Ptes %u\n", Total);
    DbgPrint("     starting PTE: %08x\n", (ULONG)FirstPte);
    DbgPrint("     ending PTE:   %08x\n", (ULONG)MiAddressToPte(MM_SYSTEM_PTE_END));
    DbgPrint("     mapping %08x-%08x\n", MM_SYSTEM_PTE_START, MM_SYSTEM_PTE_END);
    for (ULONG i = 0; i <= Total; i++) {
        BOOLEAN Reserved = i < Total && MiAreSystemPtesReserved(FirstPte + i, 1);

        if (i != 0 && (i == Total || Reserved != RunReserved)) {
            if (RunReserved) {
                UsedRuns++;
                LargestUsed = Run > LargestUsed ? Run : LargestUsed;
            } else {
                FreeRuns++;
                LargestFree = Run > LargestFree ? Run : LargestFree;
            }
            Run = 0;
        }
        RunReserved = Reserved;
        Run++;
    }
    DbgPrint("\n  in use: %u PTEs in %u runs, largest %u\n", Total - MmTotalFreeSystemPtes, UsedRuns, LargestUsed);
    DbgPrint("  free blocks: %u   total free: %u    largest free block: %u\n", FreeRuns, MmTotalFreeSystemPtes,
             LargestFree);
}

const KD_COMMAND KdpMemoryCommands[] = {
    { "db", "VA [L count]", "dump bytes (count in bytes, 80 by default)", KdpCommandDb, 1, 2 },
    { "dd", "VA [L count]", "dump dwords", KdpCommandDd, 1, 2 },
    { "dq", "VA [L count]", "dump qwords", KdpCommandDq, 1, 2 },
    { "!pte", "VA [END]", "the PDE and PTE of VA (or of a PTE address), decoded; or one line a page", KdpCommandPte,
      1, 2 },
    { "!pfn", "PAGE", "a physical page's PFN database entry", KdpCommandPfn, 1, 1 },
    { "!sysptes", "", "system PTE use and fragmentation", KdpCommandSysptes, 0, 0 },
    KD_LAST_COMMAND,
};
