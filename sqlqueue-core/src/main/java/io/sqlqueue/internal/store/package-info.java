/**
 * Not API. All of sqlqueue's SQL, behind {@link io.sqlqueue.internal.store.JobStore}: one JDBC
 * implementation and a {@link io.sqlqueue.internal.store.Vendor} per database for what differs.
 */
package io.sqlqueue.internal.store;
