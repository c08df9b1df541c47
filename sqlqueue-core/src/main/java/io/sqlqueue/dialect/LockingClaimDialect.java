package io.sqlqueue.dialect;

import java.util.List;

import javax.sql.DataSource;

import io.sqlqueue.Job;

/**
 * A dialect that claims in one read-committed transaction: lock due ids with
 * {@code FOR UPDATE SKIP LOCKED}, mark them RUNNING, read them back. For databases without
 * {@code UPDATE ... RETURNING} over a locked subquery.
 */
abstract class LockingClaimDialect extends Dialect {

	LockingClaimDialect(DataSource dataSource, String tablePrefix) {
		super(dataSource, tablePrefix);
	}

	@Override
	protected List<Job> claim(String queue, int limit, long leaseMillis, String workerId) {
		return inTransaction(() -> {
			List<Long> ids = this.jdbc.queryForList(dueIdsSql() + " FOR UPDATE SKIP LOCKED", Long.class, queue, limit);
			if (ids.isEmpty()) {
				return List.of();
			}
			Object[] args = new Object[ids.size() + 2];
			args[0] = leaseMillis;
			args[1] = workerId;
			for (int i = 0; i < ids.size(); i++) {
				args[i + 2] = ids.get(i);
			}
			String in = placeholders(ids.size());
			this.jdbc.update("UPDATE " + this.table + " SET " + claimSet() + " WHERE id IN (" + in + ")", args);
			return this.jdbc.query("SELECT " + COLUMNS + " FROM " + this.table + " WHERE id IN (" + in + ")",
					jobRowMapper(), ids.toArray());
		});
	}

}
