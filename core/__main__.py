from seedbed.core.entry import main

main()
