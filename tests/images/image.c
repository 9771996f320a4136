/*
 * image.c: the PE32 test program of the image-section suite (image_test.c).
 * MinGW links it twice: reloc.exe at 0x10000000 with base relocations,
 * fixed.exe at 0x11000000 without. The kernel maps it from the ramdisk as
 * an image section and runs its entry point (syscall.S's _start) at ring 3
 * with the view's base as the argument. It proves where it runs and that
 * every absolute address in it was relocated to there: the address of a
 * code label as an instruction's immediate against where the label runs
 * (call/pop), and each pointer in its data against the view. It returns
 * IMAGE_PASSED plus the copy-on-write data counter when every check holds,
 * else 0xBAD00000 plus the line of the check that failed.
 */
#include "user.h"
#include <ntimage.h>
#include "image.h"

#define CHECK(c) do { if (!(c)) return IMAGE_FAILED | __LINE__; } while (0)

static ULONG Counter = IMAGE_COUNTER_START;    /* writable data: each process gets its own copy */
static const CHAR Greeting[] = IMAGE_GREETING;

/* The pointers image_test.c reads from the view, in a section of their own it finds by name. */
__attribute__((section(IMAGE_POINTER_SECTION), used)) IMAGE_TEST_POINTERS ImagePointers = {
    IMAGE_POINTERS_MAGIC, &ImagePointers, (PVOID)UserMain, Greeting, &Counter,
};

static BOOLEAN InView(PVOID Address, ULONG_PTR Base, ULONG Size)
{
    return (ULONG_PTR)Address - Base < Size;
}

ULONG NTAPI UserMain(PVOID Argument)
{
    ULONG_PTR Base = (ULONG_PTR)Argument, Running, Linked;
    PIMAGE_NT_HEADERS32 Headers = (PIMAGE_NT_HEADERS32)(Base + ((PIMAGE_DOS_HEADER)Base)->e_lfanew);
    ULONG Size = Headers->OptionalHeader.SizeOfImage;

    /* Where this code runs, and where the instruction's immediate (a relocated address) says it is. */
    __asm__ volatile("call 1f\n1: popl %0\n\tmovl $1b, %1" : "=r"(Running), "=r"(Linked));
    CHECK(InView((PVOID)Running, Base, Size));
    CHECK(Linked == Running);
    CHECK(ImagePointers.Self == &ImagePointers && InView(ImagePointers.Self, Base, Size));
    CHECK(ImagePointers.Function == (PVOID)UserMain && InView(ImagePointers.Function, Base, Size));
    CHECK(InView((PVOID)ImagePointers.Greeting, Base, Size) && InView(ImagePointers.Counter, Base, Size));
    CHECK(ImagePointers.Greeting[0] == IMAGE_GREETING[0] && ImagePointers.Greeting[1] == IMAGE_GREETING[1]);
    UserPrint(Headers->OptionalHeader.ImageBase == Base ? "image: at its base\n" : "image: relocated\n");
    UserPrintHex("image: running at ", Running);
    return IMAGE_PASSED + ++*ImagePointers.Counter;
}
