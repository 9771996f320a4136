/*
 * gdt.c: the global descriptor table at NT's selectors, the processor's
 * task-state segment, and the double-fault task whose TSS gives the CPU a
 * known-good stack when the current one is unusable.
 */
#include <ke.h>
#include <mmlayout.h>

KGDTENTRY KiGdt[KGDT_ENTRIES];
KTSS KiTss;
KTSS KiDoubleFaultTss;
KPCR KiPcr;

extern UCHAR KiDoubleFaultStackTop[];
VOID KiTrap08Task(VOID);

static VOID KiSetGdtEntry(ULONG Selector, ULONG Base, ULONG Limit, UCHAR Access, UCHAR Granularity)
{
    PKGDTENTRY Entry = &KiGdt[Selector / sizeof(KGDTENTRY)];

    if (Limit > 0xFFFFF) {
        Limit >>= PAGE_SHIFT;
        Granularity |= 0x80;
    }
    Entry->LimitLow = Limit & 0xFFFF;
    Entry->BaseLow = Base & 0xFFFF;
    Entry->BaseMid = (Base >> 16) & 0xFF;
    Entry->Access = Access;
    Entry->Granularity = Granularity | ((Limit >> 16) & 0x0F);
    Entry->BaseHi = Base >> 24;
}

static VOID KiInitializeTss(PKTSS Tss)
{
    Tss->Ss0 = KGDT_R0_DATA;
    Tss->Esp0 = (ULONG)KiBootStackTop;
    Tss->IoMapBase = sizeof(KTSS); /* past the limit: no I/O permission map */
}

VOID KiInitializeDoubleFaultTask(VOID)
{
    PKTSS Tss = &KiDoubleFaultTss;

    KiInitializeTss(Tss);
    Tss->CR3 = KiReadCr3();
    Tss->Eip = (ULONG)KiTrap08Task;
    Tss->EFlags = 0x00000002;    /* bit 1 is always set; interrupts off */
    Tss->Esp = (ULONG)KiDoubleFaultStackTop;
    Tss->Cs = KGDT_R0_CODE;
    Tss->Ds = Tss->Es = Tss->Ss = KGDT_R0_DATA;
    Tss->Fs = KGDT_R0_PCR;
}

/* Points the user-mode fs segment at the running thread's TEB (it takes effect when fs is next loaded). */
VOID KiSetTebSegment(PVOID Teb)
{
    KiSetGdtEntry(KGDT_R3_TEB, (ULONG)Teb, PAGE_SIZE - 1, GDT_ACCESS_DATA | GDT_ACCESS_DPL3, 0x40);
}

VOID KiInitializeGdt(VOID)
{
    KDESCRIPTOR Gdtr;

    KiPcr.SelfPcr = &KiPcr;
    KiPcr.TSS = &KiTss;
    KiInitializeTss(&KiTss);
    KiInitializeDoubleFaultTask();

    KiSetGdtEntry(KGDT_R0_CODE, 0, 0xFFFFFFFF, GDT_ACCESS_CODE, GDT_GRAN_4K_32);
    KiSetGdtEntry(KGDT_R0_DATA, 0, 0xFFFFFFFF, GDT_ACCESS_DATA, GDT_GRAN_4K_32);
    KiSetGdtEntry(KGDT_R3_CODE, 0, 0xFFFFFFFF, GDT_ACCESS_CODE | GDT_ACCESS_DPL3, GDT_GRAN_4K_32);
    KiSetGdtEntry(KGDT_R3_DATA, 0, 0xFFFFFFFF, GDT_ACCESS_DATA | GDT_ACCESS_DPL3, GDT_GRAN_4K_32);
    KiSetGdtEntry(KGDT_TSS, (ULONG)&KiTss, sizeof(KTSS) - 1, GDT_ACCESS_TSS, 0);
    KiSetGdtEntry(KGDT_R0_PCR, (ULONG)&KiPcr, sizeof(KPCR) - 1, GDT_ACCESS_DATA, 0x40);
    KiSetGdtEntry(KGDT_R3_TEB, 0, PAGE_SIZE - 1, GDT_ACCESS_DATA | GDT_ACCESS_DPL3, 0x40);
    KiSetGdtEntry(KGDT_DF_TSS, (ULONG)&KiDoubleFaultTss, sizeof(KTSS) - 1, GDT_ACCESS_TSS, 0);
    KiSetGdtEntry(KGDT_NP_TEST, 0, 0xFFFFFFFF, GDT_ACCESS_DATA & ~GDT_ACCESS_PRESENT, GDT_GRAN_4K_32);

    Gdtr.Limit = sizeof(KiGdt) - 1;
    Gdtr.Base = (ULONG)KiGdt;
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp %1, $1f\n"
                     "1:\n\t"
                     "movl %2, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "movl %%eax, %%gs\n\t"
                     "movl %3, %%eax\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %4, %%eax\n\t"
                     "ltr %%ax"
                     :
                     : "m"(Gdtr.Limit), "i"(KGDT_R0_CODE), "i"(KGDT_R0_DATA),
                       "i"(KGDT_R0_PCR), "i"(KGDT_TSS)
                     : "eax", "memory");
}
