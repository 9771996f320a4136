/*
 * sal.h: the source annotations (SAL 2, and the older SAL 1 and __drv_
 * forms) that DDK prototypes and driver code carry. Microsoft's analyzer
 * reads them; GCC and clang do not, so each is an empty macro here and a
 * driver's annotated code compiles unchanged.
 */
#ifndef NTMM_SAL_H
#define NTMM_SAL_H

/* Parameters. */
#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _In_reads_(Size)
#define _In_reads_opt_(Size)
#define _In_reads_bytes_(Size)
#define _In_reads_bytes_opt_(Size)
#define _In_range_(Low, High)
#define _Out_
#define _Out_opt_
#define _Out_writes_(Size)
#define _Out_writes_opt_(Size)
#define _Out_writes_bytes_(Size)
#define _Out_writes_bytes_opt_(Size)
#define _Out_writes_bytes_all_(Size)
#define _Out_writes_all_(Size)
#define _Out_writes_bytes_to_(Size, Count)
#define _Out_writes_to_(Size, Count)
#define _Out_range_(Low, High)
#define _Inout_
#define _Inout_opt_
#define _Inout_z_
#define _Inout_updates_(Size)
#define _Inout_updates_opt_(Size)
#define _Inout_updates_bytes_(Size)
#define _Inout_updates_bytes_opt_(Size)
#define _Inout_updates_all_(Size)
#define _Inout_updates_to_(Size, Count)
#define _In_reads_z_(Size)
#define _In_reads_or_z_(Size)
#define _Out_writes_z_(Size)
#define _Outptr_opt_result_maybenull_
#define _Outptr_result_nullonfailure_
#define _Outptr_result_buffer_maybenull_(Size)
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_result_buffer_(Size)
#define _Outptr_result_bytebuffer_(Size)
#define _Reserved_
#define _Printf_format_string_
#define _Interlocked_operand_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Pre_notnull_
#define _Pre_maybenull_
#define _Post_invalid_
#define _Post_ptr_invalid_
#define _Post_notnull_
#define _Post_null_
#define _Pre_valid_
#define _Post_valid_
#define _Valid_
#define _Post_writable_byte_size_(Size)
#define _Notnull_
#define _Maybenull_
#define _Null_terminated_
#define _NullNull_terminated_
#define _Literal_
#define _Const_
#define _Strict_type_match_
#define _Points_to_data_

/* Return values and functions. */
#define _Ret_maybenull_
#define _Ret_z_
#define _Ret_notnull_
#define _Ret_range_(Low, High)
#define _Ret_writes_(Size)
#define _Ret_writes_bytes_(Size)
#define _Ret_writes_maybenull_(Size)
#define _Ret_writes_bytes_maybenull_(Size)
#define _Result_nullonfailure_
#define _Result_zeroonfailure_
#define _Must_inspect_result_
#define _Check_return_
#define _Success_(Expression)
#define _Return_type_success_(Expression)
#define _Use_decl_annotations_
#define _Function_class_(Name)
#define _Analysis_noreturn_
#define _Analysis_assume_(Expression) ((void)0)

/* Conditions and structure fields. */
#define _When_(Condition, Annotations)
#define _At_(Target, Annotations)
#define _At_buffer_(Target, Iterator, Size, Annotations)
#define _Pre_satisfies_(Expression)
#define _Post_satisfies_(Expression)
#define _Post_equal_to_(Expression)
#define _Field_size_(Size)
#define _Field_size_opt_(Size)
#define _Field_size_bytes_(Size)
#define _Field_size_bytes_opt_(Size)
#define _Field_size_part_(Size, Count)
#define _Field_size_bytes_part_(Size, Count)
#define _Field_range_(Low, High)
#define _Field_z_
#define _Struct_size_bytes_(Size)
#define _Writable_bytes_(Size)
#define _Readable_bytes_(Size)

/* Driver annotations: IRQL, locks, dispatch routines. */
#define _IRQL_requires_(Irql)
#define _IRQL_requires_max_(Irql)
#define _IRQL_requires_min_(Irql)
#define _IRQL_requires_same_
#define _IRQL_raises_(Irql)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(Kind, Parameter)
#define _IRQL_restores_global_(Kind, Parameter)
#define _IRQL_always_function_max_(Irql)
#define _IRQL_always_function_min_(Irql)
#define _IRQL_uses_cancel_
#define _IRQL_is_cancel_
#define _Kernel_requires_resource_held_(Kind)
#define _Kernel_requires_resource_not_held_(Kind)
#define _Kernel_acquires_resource_(Kind)
#define _Kernel_releases_resource_(Kind)
#define _Kernel_clear_do_init_(YesNo)
#define _Acquires_lock_(Lock)
#define _Releases_lock_(Lock)
#define _Requires_lock_held_(Lock)
#define _Requires_lock_not_held_(Lock)
#define _Acquires_exclusive_lock_(Lock)
#define _Releases_exclusive_lock_(Lock)
#define _Acquires_shared_lock_(Lock)
#define _Releases_shared_lock_(Lock)
#define _Requires_exclusive_lock_held_(Lock)
#define _Requires_shared_lock_held_(Lock)
#define _Has_lock_kind_(Kind)
#define _Analysis_assume_lock_held_(Lock)
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_float_used_
#define _Guarded_by_(Lock)
#define _Dispatch_type_(Major)
#define _Drv_aliasesMem_

/* The SAL 1 and __drv_ spellings older DDK headers and samples use. */
#define __in
#define __in_opt
#define __out
#define __out_opt
#define __inout
#define __inout_opt
#define __in_bcount(Size)
#define __in_bcount_opt(Size)
#define __in_ecount(Size)
#define __out_bcount(Size)
#define __out_bcount_opt(Size)
#define __out_ecount(Size)
#define __inout_bcount(Size)
#define __inout_ecount(Size)
#define __bcount(Size)
#define __ecount(Size)
#define __deref_out
#define __deref_out_opt
#define __checkReturn
#define __drv_aliasesMem
#define __drv_allocatesMem(Kind)
#define __drv_freesMem(Kind)
#define __drv_strictTypeMatch(Mode)
#define __drv_strictType(Type, Mode)
#define __drv_typeCond
#define __drv_typeConst
#define __drv_typeExpr
#define __drv_when(Condition, Annotations)
#define __drv_maxIRQL(Irql)
#define __drv_minIRQL(Irql)
#define __drv_requiresIRQL(Irql)
#define __drv_setsIRQL(Irql)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_raisesIRQL(Irql)
#define __drv_dispatchType(Major)
#define __drv_reportError(Why)
#define __drv_preferredFunction(Function, Why)
#define __drv_arg(Expression, Annotations)
#define __drv_valueIs(Values)
#define __drv_inTry
#define __drv_functionClass(Name)
#define __drv_useCancelIRQL

#endif
