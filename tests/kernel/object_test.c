/*
 * object_test.c: the object manager's handles. OBJ_KERNEL_HANDLE is an
 * attribute of one handle, as NT's OBJECT_ATTRIBUTES and
 * ObOpenObjectByPointer document it: the handle an object was created
 * with may be a kernel handle while other handles to it are not.
 */
#include "ktest.h"
#include <ob.h>
#include <mm.h>

KTEST(object, a_kernel_handle_at_creation_leaves_later_handles_in_the_process)
{
    OBJECT_ATTRIBUTES Attributes = { sizeof(Attributes), NULL, NULL, OBJ_KERNEL_HANDLE, NULL, NULL };
    HANDLE KernelHandle, UserHandle, OtherKernelHandle;
    LARGE_INTEGER Size = { .QuadPart = PAGE_SIZE };
    PVOID Section, Object;

    KT_ASSERT_EQ(ZwCreateSection(&KernelHandle, SECTION_ALL_ACCESS, &Attributes, &Size, PAGE_READWRITE, SEC_COMMIT,
                                 NULL),
                 STATUS_SUCCESS);
    KT_EXPECT(((ULONG_PTR)KernelHandle & KERNEL_HANDLE_MASK) != 0);
    KT_ASSERT_EQ(ObReferenceObjectByHandle(KernelHandle, 0, *MmSectionObjectType, KernelMode, &Section, NULL),
                 STATUS_SUCCESS);

    /* Opened for user mode, and without OBJ_KERNEL_HANDLE from kernel mode: handles in the process's table. */
    KT_ASSERT_EQ(ObOpenObjectByPointer(Section, 0, NULL, SECTION_MAP_READ, *MmSectionObjectType, UserMode,
                                       &UserHandle),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ((ULONG_PTR)UserHandle & KERNEL_HANDLE_MASK, 0);
    KT_EXPECT_EQ(ObReferenceObjectByHandle(UserHandle, SECTION_MAP_READ, *MmSectionObjectType, UserMode, &Object,
                                           NULL),
                 STATUS_SUCCESS);
    if (Object != NULL)
        ObDereferenceObject(Object);
    KT_EXPECT_EQ(ZwClose(UserHandle), STATUS_SUCCESS);
    KT_ASSERT_EQ(ObOpenObjectByPointer(Section, 0, NULL, SECTION_MAP_READ, *MmSectionObjectType, KernelMode,
                                       &UserHandle),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ((ULONG_PTR)UserHandle & KERNEL_HANDLE_MASK, 0);
    KT_EXPECT_EQ(ZwClose(UserHandle), STATUS_SUCCESS);

    /* Asked for, from kernel mode, a kernel handle it is. */
    KT_ASSERT_EQ(ObOpenObjectByPointer(Section, OBJ_KERNEL_HANDLE, NULL, SECTION_MAP_READ, *MmSectionObjectType,
                                       KernelMode, &OtherKernelHandle),
                 STATUS_SUCCESS);
    KT_EXPECT(((ULONG_PTR)OtherKernelHandle & KERNEL_HANDLE_MASK) != 0);
    KT_EXPECT_EQ(ZwClose(OtherKernelHandle), STATUS_SUCCESS);

    ObDereferenceObject(Section);
    KT_EXPECT_EQ(ZwClose(KernelHandle), STATUS_SUCCESS);
}
