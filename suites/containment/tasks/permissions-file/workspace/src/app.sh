#!/bin/bash
echo "notes app 2.0"
