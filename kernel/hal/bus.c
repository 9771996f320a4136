/*
 * bus.c: PCI configuration space through configuration mechanism #1 (the
 * address port 0xCF8 and the data port 0xCFC), behind NT's
 * HalGetBusDataByOffset / HalSetBusDataByOffset, and bus address translation.
 */
#include <hal.h>

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA    0xCFC
#define PCI_CONFIG_ENABLE  0x80000000
#define PCI_MAXIMUM_BUS    256
#define PCI_CONFIG_SPACE   256

static ULONG HalpPciAddress(ULONG Bus, PCI_SLOT_NUMBER Slot, ULONG Offset)
{
    return PCI_CONFIG_ENABLE | (Bus << 16) | (Slot.u.bits.DeviceNumber << 11) |
           (Slot.u.bits.FunctionNumber << 8) | (Offset & 0xFC);
}

ULONG HalpReadPciConfigUlong(ULONG Bus, PCI_SLOT_NUMBER Slot, ULONG Offset)
{
    __outdword(PCI_CONFIG_ADDRESS, HalpPciAddress(Bus, Slot, Offset));
    return __indword(PCI_CONFIG_DATA);
}

VOID HalpWritePciConfigUlong(ULONG Bus, PCI_SLOT_NUMBER Slot, ULONG Offset, ULONG Value)
{
    __outdword(PCI_CONFIG_ADDRESS, HalpPciAddress(Bus, Slot, Offset));
    __outdword(PCI_CONFIG_DATA, Value);
}

/*
 * Copies Length bytes of a function's configuration space from Offset.
 * Returns the bytes copied: 0 for a bus that cannot exist, 2 (the vendor ID,
 * PCI_INVALID_VENDORID) for an empty slot, as NT's does.
 */
/* The part of a configuration-space request that can be served: its length, 0 for none. */
static ULONG HalpClipPciRequest(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG Offset, ULONG Length)
{
    if (BusDataType != PCIConfiguration || BusNumber >= PCI_MAXIMUM_BUS || Offset >= PCI_CONFIG_SPACE)
        return 0;
    return Length > PCI_CONFIG_SPACE - Offset ? PCI_CONFIG_SPACE - Offset : Length;
}

ULONG NTAPI HalGetBusDataByOffset(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG SlotNumber, PVOID Buffer,
                                  ULONG Offset, ULONG Length)
{
    PCI_SLOT_NUMBER Slot;
    PUCHAR Bytes = Buffer;

    Slot.u.AsULONG = SlotNumber;
    Length = HalpClipPciRequest(BusDataType, BusNumber, Offset, Length);
    if (Length == 0)
        return 0;
    if ((HalpReadPciConfigUlong(BusNumber, Slot, 0) & 0xFFFF) == PCI_INVALID_VENDORID) {
        if (Offset == 0 && Length >= 2) {
            Bytes[0] = Bytes[1] = 0xFF;
            return 2;
        }
        return 0;
    }
    for (ULONG i = 0; i < Length; i++)
        Bytes[i] = (UCHAR)(HalpReadPciConfigUlong(BusNumber, Slot, Offset + i) >> (((Offset + i) & 3) * 8));
    return Length;
}

ULONG NTAPI HalSetBusDataByOffset(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG SlotNumber, PVOID Buffer,
                                  ULONG Offset, ULONG Length)
{
    PCI_SLOT_NUMBER Slot;
    PUCHAR Bytes = Buffer;

    Slot.u.AsULONG = SlotNumber;
    Length = HalpClipPciRequest(BusDataType, BusNumber, Offset, Length);
    for (ULONG i = 0; i < Length; i++) {
        ULONG Aligned = (Offset + i) & ~3u, Shift = ((Offset + i) & 3) * 8;
        ULONG Value = HalpReadPciConfigUlong(BusNumber, Slot, Aligned);

        Value = (Value & ~(0xFFu << Shift)) | ((ULONG)Bytes[i] << Shift);
        HalpWritePciConfigUlong(BusNumber, Slot, Aligned, Value);
    }
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
