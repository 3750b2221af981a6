/*
 * citus_report_search_path: marks the search_path setting GUC_REPORT, exactly as Citus does in
 * OverridePostgresConfigProperties (shared_library_init.c), so that plain PostgreSQL sends a
 * ParameterStatus message for search_path whenever it changes (SET, SET LOCAL, and the reverted
 * value at COMMIT/ROLLBACK) and once at connection start. Part of the citus-jdbc test kit's Citus
 * emulation; load it with shared_preload_libraries. It adds no SQL objects and no settings.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	struct config_generic **vars;
	int			count;

#if PG_VERSION_NUM >= 160000
	vars = get_guc_variables(&count);
#else
	vars = get_guc_variables();
	count = GetNumConfigOptions();
#endif
	for (int i = 0; i < count; i++)
	{
		if (strcmp(vars[i]->name, "search_path") == 0)
			vars[i]->flags |= GUC_REPORT;
	}
}
