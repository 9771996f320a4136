/* io.h: the I/O manager's interface to the rest of the kernel (not to drivers). */
#ifndef NTMM_IO_H
#define NTMM_IO_H

#include <ntddk.h>

VOID IoInitSystem(VOID);
extern NPAGED_LOOKASIDE_LIST IopMdlLookasideList;

/* The File object type (file.c), made by IoInitSystem. */
VOID IopCreateFileObjectType(VOID);
extern POBJECT_TYPE IopFileObjectType;

/*
 * Reads the pages Mdl describes from FileObject at StartingOffset, for the
 * memory manager's in-page path (NT's IoPageRead). The read completes
 * before the call returns, so Event, which NT would set, is not used and
 * may be NULL; IoStatusBlock gets the status and the bytes read. A read
 * that ends past the file's end reads what there is (the caller's page is
 * zeroed); one that starts there is STATUS_END_OF_FILE.
 */
NTSTATUS IoPageRead(PFILE_OBJECT FileObject, PMDL Mdl, PLARGE_INTEGER StartingOffset, PKEVENT Event,
                    PIO_STATUS_BLOCK IoStatusBlock);

#endif
