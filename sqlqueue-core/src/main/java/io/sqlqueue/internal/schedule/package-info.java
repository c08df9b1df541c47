/** Not API. Recurring schedules: each tick enqueued once across every node. */
package io.sqlqueue.internal.schedule;
