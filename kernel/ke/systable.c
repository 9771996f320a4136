/*
 * systable.c: KeServiceDescriptorTable, built from the service list in
 * ntsvc.h: each service's address, its call count and the bytes of
 * arguments the dispatcher copies for it (NT's KiServiceTable and
 * KiArgumentTable).
 */
#include <ke.h>
#include <mm.h>
#include <ps.h>
#include <ntsvc.h>

#define KI_SERVICE_ADDRESS(Name, Bytes) (ULONG_PTR)(Name),
#define KI_SERVICE_BYTES(Name, Bytes) Bytes,

static const ULONG_PTR KiServiceTable[] = { NTMM_SYSTEM_SERVICES(KI_SERVICE_ADDRESS) };
static const UCHAR KiArgumentTable[] = { NTMM_SYSTEM_SERVICES(KI_SERVICE_BYTES) };
static ULONG KiServiceCounts[RTL_NUMBER_OF(KiServiceTable)];

KSERVICE_TABLE_DESCRIPTOR KeServiceDescriptorTable = {
    KiServiceTable, KiServiceCounts, RTL_NUMBER_OF(KiServiceTable), KiArgumentTable
};
