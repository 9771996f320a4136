/*
 * bus.c: PCI configuration space through configuration mechanism #1 (the
 * address port 0xCF8 and the data port 0xCFC), behind NT's
 * HalGetBusDataByOffset / HalSetBusDataByOffset, and bus address translation.
 */
#include <hal.h>
#include <string.h>

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA    0xCFC
#define PCI_CONFIG_ENABLE  0x80000000
#define PCI_MAXIMUM_BUS    256
#define PCI_CONFIG_SPACE   256

/*
 * The address port selects a function's register dword; the data port's
 * four bytes are that dword's, reachable one, two or four at a time. The
 * pair is one operation, so it runs under the PCI lock at HIGH_LEVEL, where
 * no interrupt handler can slip its own address in between.
 */
static KSPIN_LOCK HalpPciConfigLock;

static ULONG HalpPciAddress(ULONG Bus, PCI_SLOT_NUMBER Slot, ULONG Offset)
{
    return PCI_CONFIG_ENABLE | (Bus << 16) | (Slot.u.bits.DeviceNumber << 11) |
           (Slot.u.bits.FunctionNumber << 8) | (Offset & 0xFC);
}

static KIRQL HalpAcquirePciConfigLock(VOID)
{
    KIRQL OldIrql;

    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    KeAcquireSpinLockAtDpcLevel(&HalpPciConfigLock);
    return OldIrql;
}

static VOID HalpReleasePciConfigLock(KIRQL OldIrql)
{
    KeReleaseSpinLockFromDpcLevel(&HalpPciConfigLock);
    KeLowerIrql(OldIrql);
}

/* The widest naturally aligned access at Offset that stays inside the Remaining bytes: 4, 2 or 1. */
static ULONG HalpPciAccessWidth(ULONG Offset, ULONG Remaining)
{
    if ((Offset & 3) == 0 && Remaining >= 4)
        return 4;
    if ((Offset & 1) == 0 && Remaining >= 2)
        return 2;
    return 1;
}

static ULONG HalpReadPciConfig(ULONG Bus, PCI_SLOT_NUMBER Slot, ULONG Offset, ULONG Width)
{
    USHORT Port = PCI_CONFIG_DATA + (Offset & 3);

    __outdword(PCI_CONFIG_ADDRESS, HalpPciAddress(Bus, Slot, Offset));
    if (Width == 1)
        return __inbyte(Port);
    return Width == 2 ? __inword(Port) : __indword(Port);
}

static VOID HalpWritePciConfig(ULONG Bus, PCI_SLOT_NUMBER Slot, ULONG Offset, ULONG Width, ULONG Value)
{
    USHORT Port = PCI_CONFIG_DATA + (Offset & 3);

    __outdword(PCI_CONFIG_ADDRESS, HalpPciAddress(Bus, Slot, Offset));
    if (Width == 1)
        __outbyte(Port, (UCHAR)Value);
    else if (Width == 2)
        __outword(Port, (USHORT)Value);
    else
        __outdword(Port, Value);
}

/*
 * Moves Length bytes between Bytes and configuration space at Offset,
 * touching no register byte outside them, as the DDK promises: writing the
 * Command register must not write the Status register next to it, whose
 * error bits clear when written with 1.
 */
static VOID HalpCopyPciConfig(ULONG Bus, PCI_SLOT_NUMBER Slot, PUCHAR Bytes, ULONG Offset, ULONG Length,
                              BOOLEAN Write)
{
    ULONG Done, Width;

    for (Done = 0; Done < Length; Done += Width) {
        ULONG Value = 0;

        Width = HalpPciAccessWidth(Offset + Done, Length - Done);
        if (Write) {
            memcpy(&Value, Bytes + Done, Width);
            HalpWritePciConfig(Bus, Slot, Offset + Done, Width, Value);
        } else {
            Value = HalpReadPciConfig(Bus, Slot, Offset + Done, Width);
            memcpy(Bytes + Done, &Value, Width);
        }
    }
}

static BOOLEAN HalpIsPciSlotEmpty(ULONG Bus, PCI_SLOT_NUMBER Slot)
{
    return HalpReadPciConfig(Bus, Slot, 0, sizeof(USHORT)) == PCI_INVALID_VENDORID;
}

/* The part of a configuration-space request that can be served: its length, 0 for none. */
static ULONG HalpClipPciRequest(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG Offset, ULONG Length)
{
    if (BusDataType != PCIConfiguration || BusNumber >= PCI_MAXIMUM_BUS || Offset >= PCI_CONFIG_SPACE)
        return 0;
    return Length > PCI_CONFIG_SPACE - Offset ? PCI_CONFIG_SPACE - Offset : Length;
}

/*
 * Copies Length bytes of a function's configuration space from Offset.
 * Returns the bytes copied: 0 for a bus that cannot exist, and for an empty
 * slot 2 (the vendor ID, PCI_INVALID_VENDORID) when the request starts with
 * it, else 0, as NT's does.
 */
ULONG NTAPI HalGetBusDataByOffset(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG SlotNumber, PVOID Buffer,
                                  ULONG Offset, ULONG Length)
{
    PCI_SLOT_NUMBER Slot;
    USHORT InvalidVendor = PCI_INVALID_VENDORID;
    KIRQL OldIrql;

    Slot.u.AsULONG = SlotNumber;
    Length = HalpClipPciRequest(BusDataType, BusNumber, Offset, Length);
    if (Length == 0)
        return 0;
    OldIrql = HalpAcquirePciConfigLock();
    if (!HalpIsPciSlotEmpty(BusNumber, Slot)) {
        HalpCopyPciConfig(BusNumber, Slot, Buffer, Offset, Length, FALSE);
    } else if (Offset == 0 && Length >= sizeof(InvalidVendor)) {
        memcpy(Buffer, &InvalidVendor, sizeof(InvalidVendor));
        Length = sizeof(InvalidVendor);
    } else {
        Length = 0;
    }
    HalpReleasePciConfigLock(OldIrql);
    return Length;
}

/* Writes Length bytes at Offset; returns the bytes written, 0 for a bus that cannot exist or an empty slot. */
ULONG NTAPI HalSetBusDataByOffset(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG SlotNumber, PVOID Buffer,
                                  ULONG Offset, ULONG Length)
{
    PCI_SLOT_NUMBER Slot;
    KIRQL OldIrql;

    Slot.u.AsULONG = SlotNumber;
    Length = HalpClipPciRequest(BusDataType, BusNumber, Offset, Length);
    if (Length == 0)
        return 0;
    OldIrql = HalpAcquirePciConfigLock();
    if (HalpIsPciSlotEmpty(BusNumber, Slot))
        Length = 0;
    else
        HalpCopyPciConfig(BusNumber, Slot, Buffer, Offset, Length, TRUE);
    HalpReleasePciConfigLock(OldIrql);
    return Length;
}

/*
 * On a PC every bus sees memory and I/O ports at their own addresses: the
 * translation is the identity, and the address space (0 memory, 1 port)
 * stays what it was.
 */
BOOLEAN NTAPI HalTranslateBusAddress(INTERFACE_TYPE InterfaceType, ULONG BusNumber, PHYSICAL_ADDRESS BusAddress,
                                     PULONG AddressSpace, PPHYSICAL_ADDRESS TranslatedAddress)
{
    UNREFERENCED_PARAMETER(BusNumber);
    if (InterfaceType < Internal || InterfaceType >= MaximumInterfaceType || *AddressSpace > 1)
        return FALSE;
    *TranslatedAddress = BusAddress;
    return TRUE;
}
