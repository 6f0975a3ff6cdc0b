/**
 * Datasets on disk: reading CSV files through a column mapping, writing them, and the seeded
 * synthetic generator. Depends on {@code features} for the payment record.
 */
package io.fraudstream.models.data;
