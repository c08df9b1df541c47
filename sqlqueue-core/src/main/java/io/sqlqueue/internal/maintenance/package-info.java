/**
 * Not API. The periodic work of a cluster (lease rescue, retention, vacuum), run by one elected node at
 * a time.
 */
package io.sqlqueue.internal.maintenance;
