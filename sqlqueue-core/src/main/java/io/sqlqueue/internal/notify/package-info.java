/** Not API. PostgreSQL notifications that wake workers in other processes when jobs are enqueued. */
package io.sqlqueue.internal.notify;
