"""Training machinery: experiment configs, the runner, run records, GPUs, sweeps and shipping.

Programs (run as `python training/<name>.py`) are thin shells: arguments, library calls, output. Nothing imports
a program, and cli.py holds their exit statuses and the one handler that turns a user's mistake into a message.

    programs   run_experiment (runner.py), prepare_experiments (studies.py), offline_sweep (sweep_driver.py,
               sweep_state.py), sweep_trial (sweep_args.py), runs (run_table.py), evaluate, export, create_lmdb,
               build_language_model (lm_orders.py), tune_language_model (lm_tuning.py, decoding_data.py);
               sweep.py and run_sweep.py are the sweep programs' first names
    a run      config.py -> runner.py -> train.py (callbacks, tracking, distribute, warm_start) -> records.py;
               shipping.py writes weights, card and ONNX export with --save
    machine    gpu_manager.py, locks.py, signals.py; folders and environment settings: text_recognizer/settings.py
"""
