"""Networks: functions (input_shape, output_shape, **network_args) -> keras.Model. Only graphs; no loss, no data."""
