complete --keep-order --exclusive --command dutydesk --arguments "(COMPLETE=fish dutydesk -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
